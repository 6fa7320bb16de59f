// A QR code drawn as one SVG path. lean-qr is loaded on first use, so it is not in the initial bundle.
import { useEffect, useState } from "react";

export function QrCode({ value, label }: { value: string; label: string }) {
  const [path, setPath] = useState<{ d: string; size: number } | null>(null);
  useEffect(() => {
    let active = true;
    void Promise.all([import("lean-qr"), import("lean-qr/extras/svg")]).then(([{ generate }, { toSvgPath }]) => {
      const code = generate(value);
      if (active) setPath({ d: toSvgPath(code), size: code.size });
    });
    return () => {
      active = false;
    };
  }, [value]);
  if (!path) return <p className="muted">Drawing the QR code…</p>;
  // A quiet zone of four modules around the code, as scanners expect.
  return (
    <svg className="qr-code" role="img" aria-label={label} viewBox={`-4 -4 ${path.size + 8} ${path.size + 8}`} width="200" height="200">
      <rect x="-4" y="-4" width={path.size + 8} height={path.size + 8} fill="#fff" />
      <path d={path.d} fill="#000" />
    </svg>
  );
}
