import { sqlMigration } from '../migration';

// Vocabularies (specialties, statuses) are written out as they were when this migration was applied:
// migrations are never edited, so they never import the domain's live lists (see providers/model.ts).
export default sqlMigration(
  '0003_clinical',
  `
  -- Clinical records are kept: the patient or provider they belong to cannot be deleted underneath them.
  CREATE TABLE consultations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    patient_id uuid NOT NULL REFERENCES patients (user_id) ON DELETE RESTRICT,
    provider_id uuid REFERENCES providers (user_id) ON DELETE RESTRICT,
    specialty text NOT NULL CHECK (specialty IN ('general_practice', 'pediatrics', 'dermatology', 'psychiatry', 'cardiology', 'endocrinology', 'womens_health', 'urgent_care')),
    status text NOT NULL DEFAULT 'requested'
      CHECK (status IN ('requested', 'accepted', 'in_progress', 'completed', 'cancelled', 'no_show', 'expired')),
    reason text,
    requested_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    accepted_at timestamptz,
    started_at timestamptz,
    ended_at timestamptz,
    cancelled_by text CHECK (cancelled_by IN ('patient', 'provider', 'admin')),
    outcome text CHECK (outcome IN ('resolved', 'follow_up', 'referred', 'prescribed', 'emergency_referral')),
    notes text,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (provider_id IS NOT NULL OR status IN ('requested', 'cancelled', 'expired')),
    CHECK (accepted_at IS NULL OR accepted_at >= requested_at),
    CHECK (started_at IS NULL OR accepted_at IS NOT NULL),
    CHECK (outcome IS NULL OR status = 'completed')
  );
  CREATE INDEX consultations_queue ON consultations (specialty, requested_at) WHERE status = 'requested';
  CREATE INDEX consultations_patient ON consultations (patient_id, requested_at DESC);
  CREATE INDEX consultations_provider ON consultations (provider_id, status, requested_at DESC);
  CREATE INDEX consultations_requested_at ON consultations (requested_at);
  CREATE INDEX consultations_expiry ON consultations (expires_at) WHERE status = 'requested';

  CREATE TABLE prescriptions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    consultation_id uuid NOT NULL REFERENCES consultations (id) ON DELETE RESTRICT,
    patient_id uuid NOT NULL REFERENCES patients (user_id) ON DELETE RESTRICT,
    provider_id uuid NOT NULL REFERENCES providers (user_id) ON DELETE RESTRICT,
    medication text NOT NULL CHECK (length(medication) BETWEEN 1 AND 200),
    dosage text NOT NULL CHECK (length(dosage) BETWEEN 1 AND 200),
    quantity integer NOT NULL CHECK (quantity BETWEEN 1 AND 1000),
    refills integer NOT NULL DEFAULT 0 CHECK (refills BETWEEN 0 AND 12),
    status text NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'sent', 'filled', 'cancelled')),
    issued_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz,
    filled_at timestamptz,
    cancelled_at timestamptz,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE INDEX prescriptions_patient ON prescriptions (patient_id, issued_at DESC);
  CREATE INDEX prescriptions_provider ON prescriptions (provider_id, issued_at DESC);
  CREATE INDEX prescriptions_consultation ON prescriptions (consultation_id);
  `,
  `DROP TABLE prescriptions; DROP TABLE consultations;`,
);
