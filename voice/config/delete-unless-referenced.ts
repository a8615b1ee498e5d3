// Deleting a configuration resource that something still points at (a number's route,
// a ring group's member, an IVR node, a queue's overflow) would leave calls routed to
// nothing, so the delete is refused and the referrers are listed instead.
import type { Reference, ReferencedKind, ResourceRepository, Store } from '../../store/index.js';
import { findReferences } from '../../store/index.js';
import type { ResourceTable } from '../../store/schema.js';

/** Gone, not there, or refused because these still point at it. */
export type DeleteOutcome = { kind: 'deleted' } | { kind: 'not_found' } | { kind: 'in_use'; refs: Reference[] };

/** Checks and deletes in one transaction, so no reference can appear in between. */
export async function deleteUnlessReferenced<T extends ResourceTable>(
  store: Store,
  repo: ResourceRepository<T>,
  kind: ReferencedKind,
  tenantId: string,
  id: string,
): Promise<DeleteOutcome> {
  return store.db.transaction().execute(async (trx) => {
    if (!(await repo.get(tenantId, id, trx))) return { kind: 'not_found' };
    const refs = await findReferences(trx, tenantId, kind, id);
    if (refs.length > 0) return { kind: 'in_use', refs };
    await repo.delete(tenantId, id, trx);
    return { kind: 'deleted' };
  });
}
