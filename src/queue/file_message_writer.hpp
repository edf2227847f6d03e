#pragma once
// Writes one incoming message into tmp/<id>.msg and commits it into incoming/.
//
// For a queue on a share the bytes go first to an unnamed local spool file and reach
// the share only in commit(), which runs on the blocking pool: receiving a message
// never waits on the network on an I/O thread, and a message the client abandons
// never touches the share.
#include <memory>
#include <optional>
#include <string>

#include "dirmail/base/posix_file.hpp"
#include "dirmail/queue/queue.hpp"
#include "dirmail/store/file_system.hpp"
#include "queue_folders.hpp"

namespace dirmail::queue {

class FileMessageWriter final : public MessageWriter {
 public:
  static constexpr std::size_t kBufferBytes = 64 * 1024;

  // `file` is the new, empty tmp file, or the local spool file when `spool` (a second
  // descriptor of the same spool, for File::write_from at commit) is given; `header` is
  // written first.
  FileMessageWriter(std::shared_ptr<QueueFolders> folders, std::string id, std::unique_ptr<store::File> file,
                    std::string header, posix::UniqueFd spool = {});
  ~FileMessageWriter() override;

  const std::string& id() const override { return id_; }
  Status write(std::string_view data) override;
  std::uint64_t size() const override { return size_; }
  Status commit() override;
  void abort() override;

 private:
  Status flush();
  Status write_out(std::string_view data);
  // Spooled: the spool's bytes into a new tmp/<id>.msg on the share, synced.
  Status copy_spool_to_share();
  Status fail(Error error);

  std::shared_ptr<QueueFolders> folders_;
  std::string id_;
  std::string tmp_path_;
  std::unique_ptr<store::File> file_;
  std::uint64_t written_ = 0;  // bytes in the file so far
  std::string buffer_;
  std::uint64_t size_ = 0;
  posix::UniqueFd spool_;  // valid when spooled
  bool tmp_created_ = false;  // tmp/<id>.msg exists on the queue's folder
  bool finished_ = false;  // committed or aborted
  std::optional<Error> failed_;
};

}  // namespace dirmail::queue
