#include "process_metrics.hpp"

#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace dirmail::daemon {
namespace {

// The fields of /proc/self/stat after the command name (which may hold spaces), so that
// field N of proc(5) is fields[N - 3].
std::vector<std::string> stat_fields() {
  std::ifstream in("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');
  std::vector<std::string> fields;
  if (close == std::string::npos) return fields;
  std::istringstream rest(text.substr(close + 1));
  for (std::string f; rest >> f;) fields.push_back(f);
  return fields;
}

double boot_time() {
  std::ifstream in("/proc/stat");
  for (std::string key; in >> key;) {
    if (key == "btime") {
      double t = 0;
      in >> t;
      return t;
    }
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

double open_files() {
  DIR* d = ::opendir("/proc/self/fd");
  if (!d) return 0;
  double n = 0;
  while (dirent* e = ::readdir(d))
    if (e->d_name[0] != '.') ++n;
  ::closedir(d);
  return n - 1;  // the folder's own descriptor
}

}  // namespace

void collect_process_metrics(metrics::Samples& s) {
  using metrics::Kind;
  auto fields = stat_fields();
  if (fields.size() < 22) return;
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  s.add("process_cpu_seconds_total", "User and system CPU time spent in seconds.", Kind::counter, {},
        (std::stod(fields[14 - 3]) + std::stod(fields[15 - 3])) / ticks);
  s.add("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", Kind::gauge, {},
        boot_time() + std::stod(fields[22 - 3]) / ticks);
  s.add("process_virtual_memory_bytes", "Virtual memory size in bytes.", Kind::gauge, {}, std::stod(fields[23 - 3]));
  s.add("process_resident_memory_bytes", "Resident memory size in bytes.", Kind::gauge, {},
        std::stod(fields[24 - 3]) * page);
  s.add("process_open_fds", "Number of open file descriptors.", Kind::gauge, {}, open_files());
}

}  // namespace dirmail::daemon
