#include "dirmail/queue/queue_location.hpp"

#include "dirmail/base/posix_file.hpp"
#include "dirmail/store/posix_file_system.hpp"

namespace dirmail::queue {

bool QueueLocation::local() const { return fs && fs->name() == "posix"; }

std::string QueueLocation::claims_dir() const { return posix::join_path(local_dir, "claims"); }

QueueLocation local_queue(const std::string& dir) {
  return QueueLocation{std::make_shared<store::PosixFileSystem>(), dir, dir};
}

}  // namespace dirmail::queue
