// Tables of the gateway itself (tokens, audit, retention, holds, ...), not of a data category.
import { ApiToken } from './api-token.entity';

export { ApiToken };
export const gatewayEntities: Function[] = [ApiToken];
