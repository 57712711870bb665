export const inventoryFinanceEntities: Function[] = [];
