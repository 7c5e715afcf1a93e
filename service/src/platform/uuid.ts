/** Any UUID's text form, either case: what PostgreSQL's uuid type accepts from the service's callers. */
export const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
