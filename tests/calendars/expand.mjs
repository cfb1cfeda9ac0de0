// Reads an iCalendar feed on stdin with ical.js (Thunderbird's parser) and prints, as
// JSON, every occurrence overlapping [argv[2], argv[3]) (ISO instants): its UID, start
// and end as UTC instants, summary and status. Overrides (RECURRENCE-ID) replace the
// occurrence they name; EXDATEs remove theirs.
import ICAL from "ical.js";

const [from, until] = process.argv.slice(2).map((text) => new Date(text));
let text = "";
for await (const chunk of process.stdin) text += chunk;

const calendar = new ICAL.Component(ICAL.parse(text));
for (const zone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(zone));
}
const masters = new Map();
const overrides = [];
for (const component of calendar.getAllSubcomponents("vevent")) {
  const event = new ICAL.Event(component);
  if (event.isRecurrenceException()) overrides.push(event);
  else masters.set(event.uid, event);
}
for (const exception of overrides) masters.get(exception.uid)?.relateException(exception);

const found = [];
for (const event of masters.values()) {
  const add = (start, end, item) => {
    const [s, e] = [start.toJSDate(), end.toJSDate()];
    if (s < until && e > from) {
      found.push({
        uid: item.uid,
        start: s.toISOString(),
        end: e.toISOString(),
        summary: item.summary,
        status: item.component.getFirstPropertyValue("status"),
      });
    }
  };
  if (!event.isRecurring()) {
    add(event.startDate, event.endDate, event);
    continue;
  }
  const iterator = event.iterator();
  for (let next = iterator.next(); next; next = iterator.next()) {
    const details = event.getOccurrenceDetails(next);
    if (details.startDate.toJSDate() >= until) break;
    add(details.startDate, details.endDate, details.item);
  }
}
process.stdout.write(JSON.stringify(found));
