import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { provideLiveDriverFactory } from './driver-session.ts';
import { createWorkerDriver } from '../workers/lab.ts';
import './styles.css';

// Live runs train in Generator and Solver workers (src/workers/lab.ts).
provideLiveDriverFactory(createWorkerDriver);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
