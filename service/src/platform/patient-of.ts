import { QueryTypes, type Sequelize } from 'sequelize';

/**
 * The patient a clinical row belongs to, whoever asks: only for the audit trail of a refused request,
 * never for a response (the caller may have no right to know the row exists).
 */
export async function patientIdOf(
  sequelize: Sequelize,
  table: 'consultations' | 'prescriptions',
  id: string,
): Promise<string | undefined> {
  const [row] = await sequelize.query<{ patient_id: string }>(
    `SELECT patient_id FROM ${table} WHERE id = $1`,
    { bind: [id], type: QueryTypes.SELECT },
  );
  return row?.patient_id;
}
