#pragma once
// Writes one incoming message into tmp/<id>.msg and commits it into incoming/.
#include <memory>
#include <optional>
#include <string>

#include "dirmail/queue/queue.hpp"
#include "dirmail/base/posix_file.hpp"
#include "queue_folders.hpp"

namespace dirmail::queue {

class FileMessageWriter final : public MessageWriter {
 public:
  static constexpr std::size_t kBufferBytes = 64 * 1024;

  // `fd` is the new, empty tmp file; `header` is written first.
  FileMessageWriter(std::shared_ptr<QueueFolders> folders, std::string id, posix::UniqueFd fd,
                    std::string header);
  ~FileMessageWriter() override;

  const std::string& id() const override { return id_; }
  Status write(std::string_view data) override;
  std::uint64_t size() const override { return size_; }
  Status commit() override;
  void abort() override;

 private:
  Status flush();
  Status fail(Error error);

  std::shared_ptr<QueueFolders> folders_;
  std::string id_;
  std::string tmp_path_;
  posix::UniqueFd fd_;
  std::string buffer_;
  std::uint64_t size_ = 0;
  bool finished_ = false;  // committed or aborted
  std::optional<Error> failed_;
};

}  // namespace dirmail::queue
