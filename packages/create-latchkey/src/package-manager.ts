// Which package manager runs pnpm for the new project. The template is a pnpm workspace
// (`catalog:`, `workspace:*`, pnpm-workspace.yaml), so with npm, yarn or bun the project still
// uses pnpm, fetched through that tool's package runner (npx, yarn dlx, bunx).
export const PACKAGE_MANAGERS = ["pnpm", "npm", "yarn", "bun"] as const;
export type PackageManager = (typeof PACKAGE_MANAGERS)[number];

export function isPackageManager(value: string): value is PackageManager {
  return (PACKAGE_MANAGERS as readonly string[]).includes(value);
}

/** The package manager that ran us, from `npm_config_user_agent` ("pnpm/12.4.2 npm/? node/v20…"); pnpm when unknown. */
export function detectPackageManager(userAgent: string | undefined): PackageManager {
  const name = userAgent?.split("/")[0] ?? "";
  return isPackageManager(name) ? name : "pnpm";
}

/** The command that runs pnpm `version` through `packageManager`, e.g. ["npx", "--yes", "pnpm@12.4.2"]. */
export function getPnpmCommand(packageManager: PackageManager, pnpmVersion: string): string[] {
  const pnpm = `pnpm@${pnpmVersion}`;
  switch (packageManager) {
    case "pnpm":
      return ["pnpm"];
    case "npm":
      return ["npx", "--yes", pnpm];
    case "yarn":
      return ["yarn", "dlx", pnpm];
    case "bun":
      return ["bunx", pnpm];
  }
}

/** How a command is shown to the user: `pnpm dev`, or `npx -y pnpm@12.4.2 dev` as the README writes it. */
export function formatPnpmCommand(packageManager: PackageManager, pnpmVersion: string, args: string[]): string {
  const command = getPnpmCommand(packageManager, pnpmVersion).map((part) => (part === "--yes" ? "-y" : part));
  return [...command, ...args].join(" ");
}
