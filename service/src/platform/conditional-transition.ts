import { QueryTypes, type Model, type ModelStatic, type Sequelize, type Transaction } from 'sequelize';
import { conflict, notFound, type AppError } from './errors';
import type { createStateMachine } from './state-machine';

/**
 * One status change as a single conditional UPDATE, so concurrent changes cannot both succeed:
 * `who` (SQL where `:actor` stands for the actor id) says whose row it may be; `visible` which rows the
 * actor may learn about when the change is refused: anything else is 404, never revealing it exists.
 */
export interface Step<S extends string> {
  readonly to: S;
  readonly from: readonly S[];
  readonly who: string;
  readonly visible: string;
  /** Extra assignments, with parameters from `$5` on (`bind`). */
  readonly set?: string;
  readonly bind?: readonly unknown[];
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

export const withActorAt = (sql: string, parameter: number) =>
  sql.replaceAll(':actor', `$${parameter}::uuid`);

export function createConditionalTransition<S extends string, M extends Model & { status: S }>(
  options: TransitionTable<S> & { readonly model: ModelStatic<M> },
) {
  const { sequelize, model, table, states, stampOf, noun } = options;
  const select = (sql: string, bind: readonly unknown[], transaction?: Transaction) =>
    sequelize.query<M>(sql, {
      bind: [...bind],
      model,
      mapToModel: true,
      type: QueryTypes.SELECT,
      transaction,
    });

  async function refusal(actorId: string, id: string, step: Step<S>): Promise<AppError> {
    const [row] = await select(`SELECT * FROM ${table} WHERE id = $1 AND (${withActorAt(step.visible, 2)})`, [
      id,
      actorId,
    ]);
    if (!row) return notFound(`No such ${noun}.`);
    if (!states.canMove(row.status, step.to)) {
      return conflict(`A ${row.status} ${noun} cannot become ${step.to}.`, 'invalid_transition');
    }
    return (
      step.refusedOtherwise?.() ??
      conflict(`You cannot make this ${row.status} ${noun} ${step.to}.`, 'invalid_transition')
    );
  }

  return {
    select,
    async apply(actorId: string, id: string, step: Step<S>): Promise<M> {
      const [row] = await select(
        `UPDATE ${table}
            SET status = $2, ${stampOf(step.to)} = now(), version = version + 1, updated_at = now()
                ${step.set ? `, ${step.set}` : ''}
          WHERE id = $1 AND status = ANY($3::text[]) AND (${withActorAt(step.who, 4)})
          RETURNING *`,
        [id, step.to, step.from, actorId, ...(step.bind ?? [])],
      );
      if (!row) throw await refusal(actorId, id, step);
      return row;
    },
  };
}
