#pragma once
// Processes of this machine.

namespace dirmail {

// Whether a process with this pid runs (one of another user counts: kill answers EPERM).
bool process_runs(long pid);

}  // namespace dirmail
