import type { Sequelize } from 'sequelize';
import { SPECIALTIES } from '../service/src/providers/model';

/**
 * A synthetic clinical dataset built with set-based SQL (no PHI: names are placeholders, medical fields
 * empty): patients, providers spread over the specialties, a year of consultations in realistic status
 * proportions, and prescriptions for part of the completed ones. Used only when no seed is available.
 */
export interface SeedSize {
  readonly patients: number;
  readonly providers: number;
  readonly consultationsPerPatient: number;
}

export async function seedClinicalData(sequelize: Sequelize, size: SeedSize): Promise<void> {
  const specialties = `ARRAY[${SPECIALTIES.map((s) => `'${s}'`).join(', ')}]`;
  await sequelize.query(
    `INSERT INTO users (email, role)
     SELECT 'bench-patient-' || i || '@example.test', 'patient' FROM generate_series(1, $1) AS i`,
    { bind: [size.patients] },
  );
  await sequelize.query(`INSERT INTO patients (user_id, given_name, family_name, date_of_birth)
     SELECT id, 'Bench', 'Patient', date '1950-01-01' + (random() * 20000)::int
       FROM users WHERE email LIKE 'bench-patient-%'`);
  await sequelize.query(
    `INSERT INTO users (email, role)
     SELECT 'bench-provider-' || i || '@example.test', 'provider' FROM generate_series(1, $1) AS i`,
    { bind: [size.providers] },
  );
  await sequelize.query(`INSERT INTO providers (user_id, display_name, license_number, license_state, specialty, availability)
     SELECT id, 'Dr Bench ' || n, 'B-' || n, 'CA', (${specialties})[1 + n % ${SPECIALTIES.length}],
            (ARRAY['available', 'busy', 'offline'])[1 + n % 3]
       FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM users WHERE email LIKE 'bench-provider-%') AS p`);

  // Each consultation draws one random number for its status and others for its waits; open requests
  // are recent (they expire after 30 minutes), everything else spreads over the past year.
  await sequelize.query(
    `WITH provider_list AS (SELECT array_agg(user_id ORDER BY user_id) AS ids, count(*)::int AS n FROM providers),
          draws AS (
            SELECT pa.user_id AS patient_id,
                   pl.ids[1 + floor(random() * pl.n)::int] AS provider_id,
                   random() AS r, random() AS age, 30 + random() * 1800 AS accept_s, 30 + random() * 600 AS start_s
              FROM patients pa CROSS JOIN generate_series(1, $1) CROSS JOIN provider_list pl),
          shaped AS (
            SELECT d.*, pr.specialty,
                   CASE WHEN r < 0.01 THEN 'requested' WHEN r < 0.05 THEN 'expired' WHEN r < 0.12 THEN 'cancelled'
                        WHEN r < 0.16 THEN 'no_show' WHEN r < 0.17 THEN 'accepted' WHEN r < 0.18 THEN 'in_progress'
                        ELSE 'completed' END AS status,
                   CASE WHEN r < 0.01 THEN now() - age * interval '25 minutes'
                        ELSE now() - interval '1 hour' - age * interval '365 days' END AS requested_at
              FROM draws d JOIN providers pr ON pr.user_id = d.provider_id)
     INSERT INTO consultations (patient_id, provider_id, specialty, status, requested_at, expires_at,
                                accepted_at, started_at, ended_at, outcome)
     SELECT patient_id,
            CASE WHEN status IN ('requested', 'expired') THEN NULL ELSE provider_id END,
            specialty, status, requested_at, requested_at + interval '30 minutes',
            CASE WHEN status IN ('requested', 'expired') THEN NULL ELSE requested_at + accept_s * interval '1 second' END,
            CASE WHEN status IN ('in_progress', 'completed')
                 THEN requested_at + (accept_s + start_s) * interval '1 second' END,
            CASE WHEN status IN ('completed', 'cancelled', 'no_show', 'expired')
                 THEN requested_at + (accept_s + start_s + 1200) * interval '1 second' END,
            CASE WHEN status = 'completed' THEN 'resolved' END
       FROM shaped`,
    { bind: [size.consultationsPerPatient] },
  );
  await sequelize.query(`INSERT INTO prescriptions (consultation_id, patient_id, provider_id, medication, dosage,
                                               quantity, refills, status, issued_at)
     SELECT id, patient_id, provider_id, 'Benchmarkazole 10 mg', 'One tablet daily', 30, 1, 'issued', ended_at
       FROM consultations WHERE status = 'completed' AND random() < 0.4`);
  await sequelize.query('ANALYZE');
}
