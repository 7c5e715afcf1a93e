/**
 * A provider may see a patient only through a consultation assigned to them that was not just a request:
 * that condition in SQL, on two expressions that give the provider's and the patient's ids.
 */
export const caresFor = (provider: string, patient: string): string =>
  `EXISTS (SELECT 1 FROM consultations WHERE provider_id = ${provider} AND patient_id = ${patient}
    AND status IN ('accepted', 'in_progress', 'completed', 'no_show'))`;
