/**
 * English messages, the reference dictionary: every other locale must define exactly these keys.
 * Placeholders in braces, such as `{name}`, are filled by `formatMessage`.
 */
export const en = {
  'app.title': 'Cloudburst console',
  'app.signOut': 'Sign out',

  'language.label': 'Language',
  'language.en': 'English',
  'language.zh-CN': '简体中文',

  'login.title': 'Sign in',
  'login.description': 'Enter the admin token of this Cloudburst server. It is kept in this browser tab only.',
  'login.tokenLabel': 'Admin token',
  'login.submit': 'Sign in',
  'login.tokenMissing': 'Enter the admin token.',
  'login.rejected': 'The server rejected the admin token. Enter a valid token.',

  'status.idle': 'Not connected',
  'status.connecting': 'Connecting…',
  'status.live': 'Live',
  'status.reconnecting': 'Connection lost, retrying in {seconds} s',
  'status.unauthorized': 'Token rejected',
  'status.serverError': 'Server error ({code}): {message}',

  'summary.title': 'Summary',
  'summary.trucks': 'Trucks',
  'summary.fences': 'Fences',
  'summary.devices': 'Phones seen',
  'summary.offers': 'Offers sent',

  'offers.title': 'Recent offers',
  'offers.empty': 'No offers yet. An offer appears here when a phone comes within range of a truck.',
  'offers.time': 'Time',
  'offers.truck': 'Truck',
  'offers.code': 'Code',
  'offers.device': 'Device',
  'offers.distance': 'Distance',
  'offers.deviceTitle': 'Device {id}',

  'legend.title': 'Legend',
  'legend.truck': 'Truck',
  'legend.fence': 'Geofence',
  'legend.fenceInactive': 'Geofence outside its active hours',
  'legend.device': 'Phone, last position',
  'legend.deviceStale': 'Phone, no ping for 2 min',
  'legend.offer': 'Offer sent in the last 5 min',

  'map.label': 'Live map',
  'map.noTrucks': 'No trucks yet',
  'map.failed': 'The map could not start: {message}',
  'map.permit': 'Permit location: {id}',
  'map.noPermit': 'No permit location',

  'maplibre.mapTitle': 'Map',
  'maplibre.zoomIn': 'Zoom in',
  'maplibre.zoomOut': 'Zoom out',
  'maplibre.resetBearing': 'Drag to rotate map, click to reset north',
  'maplibre.toggleAttribution': 'Toggle attribution',
  'maplibre.mapFeedback': 'Map feedback',
  'maplibre.logoTitle': 'MapLibre logo',
  'maplibre.popupClose': 'Close popup',
  'maplibre.meters': 'm',
  'maplibre.kilometers': 'km',
} as const;

export type MessageKey = keyof typeof en;
