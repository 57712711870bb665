// `paginate` returns `totalCount` as a function so the count runs only when selected, but
// type-graphql's field resolver reads the property without calling it. This makes it awaitable
// too (still lazy: the count query starts only when GraphQL awaits it).
import type { ConnectionShape } from '../../schema/common/connection.type';

export function withLazyCount<T>(connection: ConnectionShape<T>): ConnectionShape<T> {
  const count = connection.totalCount;
  let pending: Promise<number> | undefined;
  const run = (): Promise<number> => (pending ??= count());
  const totalCount = Object.assign(run, {
    then: <A, B>(onFulfilled?: (value: number) => A | PromiseLike<A>, onRejected?: (reason: unknown) => B | PromiseLike<B>) =>
      run().then(onFulfilled, onRejected),
  });
  return { ...connection, totalCount };
}
