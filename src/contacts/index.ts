// The contacts slice: what other features may use of it.

export { contactData } from './data-schema.ts';
export { contactRoutes, contactSchema } from './routes.ts';
export { type Contact, contacts } from './schema.ts';
export { ContactService, createProfileContact } from './service.ts';
