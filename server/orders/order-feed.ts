import { Topics, type Bus, type Subscription } from '../../bus/types.js';
import type { Logger } from '../../common/logger.js';
import type { GatewayFrame, LiveFrame, WireOrderStatus } from '../../common/protocol.js';
import type { Queryable } from '../../store/types.js';
import { cancelReadyNotice } from '../repos/order-notices.js';
import { toOrderUpdate, type OrderChange } from './updates.js';

export interface OrderFeedOptions {
  bus: Bus;
  /** Names this process's own consumer group, so every process reads every change. */
  instanceId: string;
  /** The consoles' live feed. */
  live: { publish(frame: LiveFrame): void };
  /** Device sockets held by this process. */
  devices: { sendToDevice(deviceId: string, frame: GatewayFrame): boolean };
}

/**
 * Sends every order change to this process's consoles (the pickup board) and to the
 * phone that placed the order when its socket is open on this process.
 */
export function subscribeOrderFeed(options: OrderFeedOptions): Promise<Subscription> {
  return options.bus.subscribe<OrderChange>({
    topic: Topics.orders,
    groupId: `orders-${options.instanceId}`,
    handler: async (records) => {
      for (const { value } of records) {
        options.live.publish({ type: 'order', order: value.order });
        if (value.deviceId !== null) options.devices.sendToDevice(value.deviceId, { type: 'order', order: toOrderUpdate(value.order) });
      }
    },
  });
}

/**
 * Handles a device's order-ack: an app that showed the ready order makes its text
 * unnecessary. Errors are logged, because an acknowledgement must never break the socket.
 */
export async function acknowledgeOrderUpdate(db: Queryable, logger: Logger, deviceId: string, orderId: string, status: WireOrderStatus): Promise<void> {
  if (status !== 'ready') return;
  try {
    const cancelled = await cancelReadyNotice(db, orderId, deviceId);
    if (cancelled) logger.info({ orderId, deviceId }, 'the app showed the ready order; no text needed');
  } catch (error) {
    logger.error({ err: error, orderId, deviceId }, 'recording an order-ack failed; the ready text may still be sent');
  }
}
