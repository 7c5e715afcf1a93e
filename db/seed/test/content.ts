import { Op, type Model } from 'sequelize';
import type { Models } from '../../../service/src/models';
import { SEED_EMAIL_DOMAIN } from '../accounts';

type Plain = Record<string, unknown>;

/**
 * What one seed run wrote, read back through the models (so encrypted fields come back decrypted), with
 * every identity (uuids, emails, licence numbers) replaced by a stable label: two runs with the same seed
 * then compare equal whatever their run tags, and any difference in content shows.
 */
export async function runContent(models: Models, runTag: string) {
  const users = await models.User.findAll({
    where: { email: { [Op.like]: `%.${runTag}@${SEED_EMAIL_DOMAIN}` } },
  });
  // "patient-12.tag@..." is labelled "patient-12".
  const labels = new Map(users.map((user) => [user.id, user.email.split('.')[0]!]));
  const userIds = [...labels.keys()];
  const patients = await models.Patient.findAll({ where: { userId: userIds } });
  const providers = await models.Provider.findAll({ where: { userId: userIds } });
  const consultations = await models.Consultation.findAll({ where: { patientId: userIds } });
  for (const visit of consultations)
    labels.set(visit.id, `${labels.get(visit.patientId)}@${visit.requestedAt.toISOString()}`);
  const prescriptions = await models.Prescription.findAll({ where: { patientId: userIds } });

  const relabel = (row: Model, identities: string[], dropped: string[] = []): Plain => {
    const plain = row.get({ plain: true }) as Plain;
    for (const field of dropped) delete plain[field];
    for (const field of identities)
      plain[field] = plain[field] === null ? null : (labels.get(plain[field] as string) ?? 'unknown');
    return plain;
  };
  const sorted = (rows: Plain[]) => rows.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return {
    users: sorted(users.map((row) => relabel(row, ['id'], ['email']))),
    patients: sorted(patients.map((row) => relabel(row, ['userId']))),
    providers: sorted(providers.map((row) => relabel(row, ['userId'], ['licenseNumber']))),
    consultations: sorted(consultations.map((row) => relabel(row, ['id', 'patientId', 'providerId']))),
    prescriptions: sorted(
      prescriptions.map((row) => relabel(row, ['consultationId', 'patientId', 'providerId'], ['id'])),
    ),
  };
}
