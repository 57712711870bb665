export const ordersEntities: Function[] = [];
