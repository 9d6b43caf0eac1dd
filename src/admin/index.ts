// The staff back office's API: what app.ts wires.
export { adminRoutes } from './routes.ts';
export { AdminService } from './service.ts';
