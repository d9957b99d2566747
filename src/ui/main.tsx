import { createRoot } from 'react-dom/client';

function AppShell() {
  return <div style={{ fontFamily: 'sans-serif', padding: 16 }}>LatentLoom</div>;
}

createRoot(document.getElementById('root')!).render(<AppShell />);
