// A dedicated worker holding one role and its own GPU device; the UI thread never blocks on GPU work.
import { expose } from 'comlink';
import { RoleHost } from './role-host.ts';

const host = new RoleHost();
// A handle for the browser's devtools (and the device-loss e2e test): self.infuserRoleHost.
(self as unknown as { infuserRoleHost: RoleHost }).infuserRoleHost = host;
expose(host);
