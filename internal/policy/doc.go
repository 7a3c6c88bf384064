// Package policy applies a contact policy (a `kind: policy` definition) to every outbound touch
// from every workflow, so that no single workflow can over-mail a contact, wake a recipient at
// night or flood a rep with automated tasks.
//
// # Model
//
// Compile turns the parsed definition into an immutable *Policy. Check then decides one proposed
// touch (a Request) against the touches already made (history): it is a pure function of its
// arguments and never reads the wall clock, so the engine, the simulator and tests agree.
//
// A touch has a channel:
//
//   - email: an email to a lead or contact;
//   - task: an automated task for a rep to reach the lead or contact (a call, a LinkedIn note);
//   - notify: an automated notification to a rep.
//
// The rules, in the order Check reports them:
//
//   - contact.max_emails: at most N emails to one contact within `per`;
//   - contact.max_touches: at most N emails and tasks to one contact within `per`;
//   - contact.max_per_account: at most N emails and tasks to one account within `per` (not
//     checked when the request names no account);
//   - quiet_hours: no email while the recipient's wall clock is in [from, to); the window may
//     cross midnight (19:00 to 08:00). Tasks are not held back: a rep's to-do disturbs nobody, and
//     holding it would only make the first call later;
//   - calendar: no email on the calendar's holidays, read as dates in the recipient's zone;
//   - automation_budget: at most N tasks and notifications per rep per day, the day being the
//     rep's local day.
//
// Caps count touches in the half-open window (t-per, t]: a touch made at 10:00 with per: 1d stops
// counting at 10:00 the next day. Only history at or before Request.Now counts; a touch in the
// future has not happened yet.
//
// Notifications go to reps, not to recipients, so only the budget governs them. Rules whose
// subject is missing from the request (no contact, no account, no rep) do not apply.
//
// # Calendars: holidays only
//
// A calendar's working hours say when reps work, not when a recipient may hear from us, so the
// policy reads only its holidays: weekends are allowed unless they are listed as holidays, and
// evenings are quiet hours' business. A holiday is a date (bizcal.Date), and the date is the
// recipient's, like quiet hours: 2026-12-25 blocks a recipient in Berlin from Berlin's midnight
// and one in New York from New York's.
//
// # Deferring
//
// When a rule blocks, on_blocked decides: "skip" drops the touch; "defer" (the default) returns
// NotBefore, the earliest instant at or after Now at which every rule allows it. Each rule knows
// the earliest instant it next allows (a cap: when enough counted touches leave the window;
// quiet hours: the window's end; a holiday: the next local midnight that is not a holiday; the
// budget: the rep's next local midnight), and Check moves forward through the rules until none
// blocks. Caps and the budget only relax as time passes, and quiet hours and holidays alternate
// at most a few times a day, so a few rounds settle it; the loop is bounded all the same.
//
// Local times are computed on the wall clock with exact DST handling: a wall time that a
// spring-forward skips means the end of the gap, and one that a fall-back repeats means its first
// pass at or after the instant in question (see wallTime).
//
// Either way the Decision names the rule that blocked at Now (Rule, e.g. "contact.max_emails")
// and says why with numbers (Reason), so a deferred or skipped touch can be logged and explained.
//
// Window says how much history Check needs, so callers load only that.
package policy
