/** Languages of the ready-order text: the order page's languages. */
export const ORDER_TEXT_LANGUAGES = ['en', 'zh-CN'] as const;
export type OrderTextLanguage = (typeof ORDER_TEXT_LANGUAGES)[number];

/**
 * Returns the SMS sent when an order is ready and no app showed it. The English text
 * fits one GSM-7 part for truck names up to about 80 characters, and the Chinese text
 * one UCS-2 part for names up to about 40.
 */
export function readyText(language: OrderTextLanguage, truckName: string, pickupNumber: string): string {
  if (language === 'zh-CN') return `${truckName}：您的订单 ${pickupNumber} 已备好，请到取餐窗口取餐。`;
  return `${truckName}: your order ${pickupNumber} is ready. Show this number at the pickup window.`;
}
