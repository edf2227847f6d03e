#include "dirmail/base/process.hpp"

#include <signal.h>

#include <cerrno>

namespace dirmail {

bool process_runs(long pid) {
  if (pid <= 0) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

}  // namespace dirmail
