import type { MessageKey } from './en.js';

/** Simplified Chinese messages. */
export const zhCN: Record<MessageKey, string> = {
  'app.title': 'Cloudburst 控制台',
  'app.signOut': '退出登录',

  'language.label': '语言',
  'language.en': 'English',
  'language.zh-CN': '简体中文',

  'login.title': '登录',
  'login.description': '请输入此 Cloudburst 服务器的管理员令牌。令牌只保存在当前浏览器标签页中。',
  'login.tokenLabel': '管理员令牌',
  'login.submit': '登录',
  'login.tokenMissing': '请输入管理员令牌。',
  'login.rejected': '服务器拒绝了该管理员令牌，请输入有效的令牌。',

  'status.idle': '未连接',
  'status.connecting': '正在连接…',
  'status.live': '实时',
  'status.reconnecting': '连接已断开，{seconds} 秒后重试',
  'status.unauthorized': '令牌被拒绝',
  'status.serverError': '服务器错误（{code}）：{message}',

  'summary.title': '概览',
  'summary.trucks': '餐车',
  'summary.fences': '地理围栏',
  'summary.devices': '已发现的手机',
  'summary.offers': '已发送的优惠',

  'offers.title': '最近的优惠',
  'offers.empty': '暂无优惠。手机进入餐车范围后，优惠会显示在这里。',
  'offers.time': '时间',
  'offers.truck': '餐车',
  'offers.code': '优惠码',
  'offers.device': '设备',
  'offers.distance': '距离',
  'offers.deviceTitle': '设备 {id}',

  'legend.title': '图例',
  'legend.truck': '餐车',
  'legend.fence': '地理围栏',
  'legend.fenceInactive': '地理围栏（不在生效时段内）',
  'legend.device': '手机（最新位置）',
  'legend.deviceStale': '手机（2 分钟内无定位）',
  'legend.offer': '最近 5 分钟内发送的优惠',

  'map.label': '实时地图',
  'map.noTrucks': '暂无餐车',
  'map.failed': '地图无法启动：{message}',
  'map.permit': '许可位置：{id}',
  'map.noPermit': '无许可位置',

  'maplibre.mapTitle': '地图',
  'maplibre.zoomIn': '放大',
  'maplibre.zoomOut': '缩小',
  'maplibre.resetBearing': '拖动以旋转地图，点击以恢复正北方向',
  'maplibre.toggleAttribution': '显示或隐藏版权信息',
  'maplibre.mapFeedback': '地图反馈',
  'maplibre.logoTitle': 'MapLibre 标志',
  'maplibre.popupClose': '关闭弹窗',
  'maplibre.meters': '米',
  'maplibre.kilometers': '公里',
};
