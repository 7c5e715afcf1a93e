import type { OUTCOMES } from '../../service/src/consultations/model';
import type { Specialty } from '../../service/src/providers/model';

type Outcome = (typeof OUTCOMES)[number];

/**
 * Words the generators draw from. Synthetic by construction: common terms, no records of anyone.
 */

export const ALLERGIES = [
  'penicillin',
  'amoxicillin',
  'sulfa drugs',
  'aspirin',
  'ibuprofen',
  'codeine',
  'latex',
  'peanuts',
  'tree nuts',
  'shellfish',
  'eggs',
  'milk',
  'soy',
  'bee stings',
  'pollen',
  'dust mites',
  'cat dander',
] as const;

export const CONDITIONS = [
  'hypertension',
  'type 2 diabetes',
  'asthma',
  'hypothyroidism',
  'hyperlipidemia',
  'migraine',
  'generalized anxiety disorder',
  'major depressive disorder',
  'eczema',
  'psoriasis',
  'acne',
  'gastroesophageal reflux',
  'osteoarthritis',
  'seasonal allergies',
  'atrial fibrillation',
  'obesity',
  'polycystic ovary syndrome',
  'insomnia',
  'ADHD',
  'chronic kidney disease stage 2',
] as const;

export const CHILDHOOD_CONDITIONS = ['asthma', 'eczema', 'seasonal allergies', 'ADHD', 'migraine'] as const;

export const CURRENT_MEDICATIONS = [
  'lisinopril 10 mg daily',
  'metformin 500 mg twice daily',
  'atorvastatin 20 mg nightly',
  'levothyroxine 75 mcg daily',
  'albuterol inhaler as needed',
  'sertraline 50 mg daily',
  'omeprazole 20 mg daily',
  'amlodipine 5 mg daily',
  'cetirizine 10 mg daily',
  'escitalopram 10 mg daily',
  'losartan 50 mg daily',
  'vitamin D 2000 IU daily',
  'oral contraceptive daily',
  'apixaban 5 mg twice daily',
] as const;

export const INSURANCE_PAYERS = [
  'Northwind Health Plan',
  'Blue Meadow Mutual',
  'Harborview Assurance',
  'Summit Care Alliance',
  'Pioneer Health Cooperative',
  'Lakeside Benefits Group',
] as const;

/** Why people ask for a consultation, by the specialty they ask for. */
export const REASONS: Record<Specialty, readonly string[]> = {
  general_practice: [
    'persistent cough for a week',
    'sore throat and mild fever',
    'fatigue for several weeks',
    'medication refill request',
    'lower back pain after lifting',
    'follow-up on blood pressure readings',
  ],
  pediatrics: [
    'child with fever since yesterday',
    'ear pain in a toddler',
    'rash after starting daycare',
    'vomiting and mild dehydration',
    'question about vaccination schedule',
  ],
  dermatology: [
    'itchy rash on the forearms',
    'acne not improving with over-the-counter care',
    'mole that changed shape',
    'dry scaly patches on the elbows',
    'hair thinning',
  ],
  psychiatry: [
    'trouble sleeping and low mood',
    'anxiety before work most days',
    'medication check-in',
    'panic attacks recently',
    'difficulty concentrating',
  ],
  cardiology: [
    'occasional palpitations',
    'chest tightness on exertion',
    'high blood pressure readings at home',
    'follow-up after an abnormal ECG',
  ],
  endocrinology: [
    'blood sugar readings running high',
    'thyroid medication adjustment',
    'unexplained weight change',
    'review of recent lab results',
  ],
  womens_health: [
    'contraception consultation',
    'irregular cycles',
    'urinary discomfort for two days',
    'menopause symptoms',
    'prenatal question',
  ],
  urgent_care: [
    'sprained ankle this morning',
    'minor burn from cooking',
    'painful urination since yesterday',
    'pink eye',
    'cut on the hand that may need care',
    'sudden sinus pain and pressure',
  ],
};

export const FINDINGS = [
  'Symptoms consistent with a self-limiting viral illness.',
  'Vital signs reported by the patient are within normal limits.',
  'No red-flag symptoms elicited.',
  'Presentation consistent with the reported history.',
  'Visual examination by video unremarkable apart from the reported area.',
  'Symptoms improving since onset.',
] as const;

/** What the provider wrote as the plan, by the outcome recorded. */
export const PLANS: Record<Outcome, readonly string[]> = {
  resolved: [
    'Advised rest, fluids and over-the-counter analgesia.',
    'Discussed self-care; no further action needed.',
  ],
  prescribed: [
    'Prescription issued; reviewed dosing and side effects.',
    'Started treatment; reviewed what to watch for.',
  ],
  follow_up: [
    'Ordered routine labs; follow-up to review results.',
    'Follow-up visit in two weeks to reassess.',
  ],
  referred: ['Referred to an in-person specialist.', 'Recommended an in-person examination this week.'],
  emergency_referral: ['Advised to go to the nearest emergency department now.'],
};

/** What a prescription can be, with the dosages and quantities it is usually written for. */
export const PRESCRIBABLE = [
  {
    medication: 'amoxicillin 500 mg capsule',
    dosage: 'one capsule three times daily for 7 days',
    quantity: 21,
  },
  {
    medication: 'azithromycin 250 mg tablet',
    dosage: 'two tablets on day 1, then one daily for 4 days',
    quantity: 6,
  },
  { medication: 'nitrofurantoin 100 mg capsule', dosage: 'one capsule twice daily for 5 days', quantity: 10 },
  {
    medication: 'ibuprofen 600 mg tablet',
    dosage: 'one tablet every 8 hours as needed with food',
    quantity: 30,
  },
  { medication: 'hydrocortisone 1% cream', dosage: 'apply thinly twice daily', quantity: 1 },
  { medication: 'tretinoin 0.025% cream', dosage: 'apply at night', quantity: 1 },
  { medication: 'sertraline 50 mg tablet', dosage: 'one tablet daily', quantity: 30 },
  { medication: 'trazodone 50 mg tablet', dosage: 'one tablet at bedtime as needed', quantity: 30 },
  { medication: 'lisinopril 10 mg tablet', dosage: 'one tablet daily', quantity: 90 },
  { medication: 'metformin 500 mg tablet', dosage: 'one tablet twice daily with meals', quantity: 180 },
  { medication: 'levothyroxine 50 mcg tablet', dosage: 'one tablet daily before breakfast', quantity: 90 },
  { medication: 'fluticasone 50 mcg nasal spray', dosage: 'two sprays each nostril daily', quantity: 1 },
  {
    medication: 'ondansetron 4 mg tablet',
    dosage: 'one tablet every 8 hours as needed for nausea',
    quantity: 12,
  },
  {
    medication: 'erythromycin ophthalmic ointment',
    dosage: 'apply to the affected eye four times daily',
    quantity: 1,
  },
] as const;
