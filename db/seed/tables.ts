/**
 * The rows the seed writes, keyed by database column, and each column's SQL type: the bulk writer sends
 * one typed array per column. Keeping the type next to the column keeps the two from drifting apart.
 */
export type ColumnTypes<Row> = { readonly [Column in keyof Row]: string };

export interface TableSpec<Row> {
  readonly table: string;
  readonly columns: ColumnTypes<Row>;
}

interface Timestamps {
  created_at: Date;
  updated_at: Date;
}

export interface UserRow extends Timestamps {
  id: string;
  email: string;
  password_hash: string;
  role: 'patient' | 'provider' | 'admin';
  status: 'active';
  mfa_enrolled: boolean;
  password_changed_at: Date;
}

export interface PatientRow extends Timestamps {
  user_id: string;
  given_name: string;
  family_name: string;
  date_of_birth: string;
  phone: string | null;
  allergies: string | null;
  conditions: string | null;
  medications: string | null;
  insurance_payer: string | null;
  insurance_member_id: string | null;
  insurance_group_number: string | null;
  subscription_plan: string;
  subscription_status: string;
  subscription_renews_at: Date | null;
}

export interface ProviderRow extends Timestamps {
  user_id: string;
  display_name: string;
  license_number: string;
  license_state: string;
  specialty: string;
  accepting_patients: boolean;
  availability: string;
}

/** A confirmed TOTP factor: staff need aal2 for every clinical route, so seeded staff are enrolled. */
export interface MfaFactorRow extends Timestamps {
  id: string;
  user_id: string;
  kind: 'totp';
  secret_ciphertext: string;
  confirmed_at: Date;
}

export interface ConsultationRow extends Timestamps {
  id: string;
  patient_id: string;
  provider_id: string | null;
  specialty: string;
  status: string;
  reason: string | null;
  requested_at: Date;
  expires_at: Date;
  accepted_at: Date | null;
  started_at: Date | null;
  ended_at: Date | null;
  cancelled_by: string | null;
  outcome: string | null;
  notes: string | null;
  version: number;
}

export interface PrescriptionRow extends Timestamps {
  id: string;
  consultation_id: string;
  patient_id: string;
  provider_id: string;
  medication: string;
  dosage: string;
  quantity: number;
  refills: number;
  status: string;
  issued_at: Date;
  sent_at: Date | null;
  filled_at: Date | null;
  cancelled_at: Date | null;
  version: number;
}

const timestamps = { created_at: 'timestamptz', updated_at: 'timestamptz' } as const;

export const USERS: TableSpec<UserRow> = {
  table: 'users',
  columns: {
    id: 'uuid',
    email: 'text',
    password_hash: 'text',
    role: 'text',
    status: 'text',
    mfa_enrolled: 'boolean',
    password_changed_at: 'timestamptz',
    ...timestamps,
  },
};

export const PATIENTS: TableSpec<PatientRow> = {
  table: 'patients',
  columns: {
    user_id: 'uuid',
    given_name: 'text',
    family_name: 'text',
    date_of_birth: 'date',
    phone: 'text',
    allergies: 'text',
    conditions: 'text',
    medications: 'text',
    insurance_payer: 'text',
    insurance_member_id: 'text',
    insurance_group_number: 'text',
    subscription_plan: 'text',
    subscription_status: 'text',
    subscription_renews_at: 'timestamptz',
    ...timestamps,
  },
};

export const PROVIDERS: TableSpec<ProviderRow> = {
  table: 'providers',
  columns: {
    user_id: 'uuid',
    display_name: 'text',
    license_number: 'text',
    license_state: 'text',
    specialty: 'text',
    accepting_patients: 'boolean',
    availability: 'text',
    ...timestamps,
  },
};

export const MFA_FACTORS: TableSpec<MfaFactorRow> = {
  table: 'mfa_factors',
  columns: {
    id: 'uuid',
    user_id: 'uuid',
    kind: 'text',
    secret_ciphertext: 'text',
    confirmed_at: 'timestamptz',
    ...timestamps,
  },
};

export const CONSULTATIONS: TableSpec<ConsultationRow> = {
  table: 'consultations',
  columns: {
    id: 'uuid',
    patient_id: 'uuid',
    provider_id: 'uuid',
    specialty: 'text',
    status: 'text',
    reason: 'text',
    requested_at: 'timestamptz',
    expires_at: 'timestamptz',
    accepted_at: 'timestamptz',
    started_at: 'timestamptz',
    ended_at: 'timestamptz',
    cancelled_by: 'text',
    outcome: 'text',
    notes: 'text',
    version: 'integer',
    ...timestamps,
  },
};

export const PRESCRIPTIONS: TableSpec<PrescriptionRow> = {
  table: 'prescriptions',
  columns: {
    id: 'uuid',
    consultation_id: 'uuid',
    patient_id: 'uuid',
    provider_id: 'uuid',
    medication: 'text',
    dosage: 'text',
    quantity: 'integer',
    refills: 'integer',
    status: 'text',
    issued_at: 'timestamptz',
    sent_at: 'timestamptz',
    filled_at: 'timestamptz',
    cancelled_at: 'timestamptz',
    version: 'integer',
    ...timestamps,
  },
};
