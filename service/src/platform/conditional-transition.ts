import {
  QueryTypes,
  type Attributes,
  type Model,
  type ModelStatic,
  type Sequelize,
  type Transaction,
} from 'sequelize';
import { conflict, notFound, type AppError } from './errors';
import type { createStateMachine } from './state-machine';
import { storedValueOf } from './stored-value';

/** Stands for the acting user's id among a change's assignments (`assign: { providerId: ACTOR }`). */
export const ACTOR = Symbol('actor');

/** A condition on a row given the SQL placeholder of the actor's id, e.g. (actor) => `provider_id = ${actor}`. */
export type ActorCondition = (actor: string) => string;

/**
 * One status change as a single conditional UPDATE, so concurrent changes cannot both succeed:
 * `who` says whose row it may be; `visible` which rows the actor may learn about when the change is
 * refused: anything else is 404, never revealing it exists.
 */
export interface StatusChange<M extends Model & { status: string }> {
  readonly to: M['status'];
  readonly from: readonly M['status'][];
  readonly who: ActorCondition;
  readonly visible: ActorCondition;
  /**
   * Attributes set besides the status, by model attribute name. Values are stored as the model would
   * store them (encrypted attributes encrypted); `ACTOR` sets the actor's id.
   */
  readonly assign?: { readonly [A in keyof Attributes<M> & string]?: Attributes<M>[A] | typeof ACTOR };
  /** The refusal when the status allowed the move but `who` did not; 409 by default. */
  readonly refusedOtherwise?: () => AppError;
}

export interface TransitionTable<S extends string> {
  readonly sequelize: Sequelize;
  readonly model: ModelStatic<Model & { status: S }>;
  readonly table: string;
  readonly states: ReturnType<typeof createStateMachine<S>>;
  /** The timestamp column the new status stamps. */
  readonly stampOf: (status: S) => string;
  /** What the row is called in messages ("consultation"). */
  readonly noun: string;
}

export function createConditionalTransition<S extends string, M extends Model & { status: S }>(
  options: TransitionTable<S> & { readonly model: ModelStatic<M> },
) {
  const { sequelize, model, table, states, stampOf, noun } = options;
  const columnOf = (attribute: string) => {
    const column = model.getAttributes()[attribute as keyof Attributes<M>]?.field;
    if (!column) throw new Error(`${model.name} has no attribute ${attribute}`);
    return column;
  };
  const select = (sql: string, bind: readonly unknown[], transaction?: Transaction) =>
    sequelize.query<M>(sql, {
      bind: [...bind],
      model,
      mapToModel: true,
      type: QueryTypes.SELECT,
      transaction,
    });

  /** `SET` clauses for the assignments, each value bound after `bind` (the actor's placeholder is given). */
  function assignments(change: StatusChange<M>, actor: string, bind: unknown[]): string[] {
    return Object.entries(change.assign ?? {}).map(([attribute, value]) => {
      if (value === ACTOR) return `${columnOf(attribute)} = ${actor}`;
      bind.push(storedValueOf(model, attribute as keyof Attributes<M> & string, value));
      return `${columnOf(attribute)} = $${bind.length}`;
    });
  }

  async function refusal(actorId: string, id: string, change: StatusChange<M>): Promise<AppError> {
    const [row] = await select(`SELECT * FROM ${table} WHERE id = $1 AND (${change.visible('$2::uuid')})`, [
      id,
      actorId,
    ]);
    if (!row) return notFound(`No such ${noun}.`);
    if (!states.canMove(row.status, change.to)) {
      return conflict(`A ${row.status} ${noun} cannot become ${change.to}.`, 'invalid_transition');
    }
    return (
      change.refusedOtherwise?.() ??
      conflict(`You cannot make this ${row.status} ${noun} ${change.to}.`, 'invalid_transition')
    );
  }

  return {
    select,
    async apply(actorId: string, id: string, change: StatusChange<M>): Promise<M> {
      const bind: unknown[] = [id, change.to, change.from, actorId];
      const actor = '$4::uuid';
      const set = [
        'status = $2',
        `${stampOf(change.to)} = now()`,
        'version = version + 1',
        'updated_at = now()',
        ...assignments(change, actor, bind),
      ];
      const [row] = await select(
        `UPDATE ${table} SET ${set.join(', ')}
          WHERE id = $1 AND status = ANY($3::text[]) AND (${change.who(actor)})
          RETURNING *`,
        bind,
      );
      if (!row) throw await refusal(actorId, id, change);
      return row;
    },
  };
}
