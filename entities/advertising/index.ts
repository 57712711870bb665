export const advertisingEntities: Function[] = [];
