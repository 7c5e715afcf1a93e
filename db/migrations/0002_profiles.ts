import { sqlMigration } from '../migration';

// Vocabularies (specialties, statuses) are written out as they were when this migration was applied:
// migrations are never edited, so they never import the domain's live lists (see providers/model.ts).
export default sqlMigration(
  '0002_profiles',
  `
  -- A profile is part of its account: deleting the account deletes the profile. Clinical records that
  -- reference the profile (consultations, prescriptions) RESTRICT that delete, so records are never orphaned.
  CREATE TABLE patients (
    user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    given_name text NOT NULL CHECK (length(given_name) BETWEEN 1 AND 100),
    family_name text NOT NULL CHECK (length(family_name) BETWEEN 1 AND 100),
    date_of_birth date NOT NULL CHECK (date_of_birth > DATE '1900-01-01'),
    phone text,
    -- Medical data is encrypted by the application (AES-256-GCM envelope carrying its key id).
    allergies text,
    conditions text,
    medications text,
    insurance_payer text,
    insurance_member_id text,
    insurance_group_number text,
    subscription_plan text NOT NULL DEFAULT 'free' CHECK (subscription_plan IN ('free', 'basic', 'premium')),
    subscription_status text NOT NULL DEFAULT 'active'
      CHECK (subscription_status IN ('active', 'past_due', 'cancelled')),
    subscription_renews_at timestamptz,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  );

  CREATE TABLE providers (
    user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    license_number text NOT NULL CHECK (length(license_number) BETWEEN 1 AND 50),
    license_state text NOT NULL CHECK (license_state ~ '^[A-Z]{2}$'),
    specialty text NOT NULL CHECK (specialty IN ('general_practice', 'pediatrics', 'dermatology', 'psychiatry', 'cardiology', 'endocrinology', 'womens_health', 'urgent_care')),
    accepting_patients boolean NOT NULL DEFAULT true,
    availability text NOT NULL DEFAULT 'offline' CHECK (availability IN ('available', 'busy', 'offline')),
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE UNIQUE INDEX providers_license_unique ON providers (license_state, license_number);
  CREATE INDEX providers_specialty_availability ON providers (specialty, availability);
  `,
  `DROP TABLE providers; DROP TABLE patients;`,
);
