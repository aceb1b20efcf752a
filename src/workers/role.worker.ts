// A dedicated worker holding one role and its own GPU device; the UI thread never blocks on GPU work.
import { expose } from 'comlink';
import { RoleHost } from './role-host.ts';

expose(new RoleHost());
