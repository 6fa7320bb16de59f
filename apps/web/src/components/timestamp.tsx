// A point in time as people read it ("5 minutes ago"), with the exact date and time on hover.
// The API sends dates as ISO strings (no transformer), so both shapes are accepted.
const MINUTE_S = 60;
const HOUR_S = 60 * MINUTE_S;
const DAY_S = 24 * HOUR_S;
const WEEK_S = 7 * DAY_S;
const JUST_NOW_S = 45;

const exactFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

function formatRelative(date: Date, now: Date): string {
  const ageS = Math.round((now.getTime() - date.getTime()) / 1000);
  if (Math.abs(ageS) < JUST_NOW_S) return "just now";
  if (Math.abs(ageS) < HOUR_S) return relativeFormat.format(-Math.round(ageS / MINUTE_S), "minute");
  if (Math.abs(ageS) < DAY_S) return relativeFormat.format(-Math.round(ageS / HOUR_S), "hour");
  if (Math.abs(ageS) < WEEK_S) return relativeFormat.format(-Math.round(ageS / DAY_S), "day");
  return dateFormat.format(date);
}

export function Timestamp({ value }: { value: string | Date }) {
  const date = new Date(value);
  return (
    <time dateTime={date.toISOString()} title={exactFormat.format(date)}>
      {formatRelative(date, new Date())}
    </time>
  );
}
