#include "file_message_writer.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>

namespace dirmail::queue {
namespace {

// Moves the file into incoming/ without ever replacing a committed message.
Status rename_no_replace(const std::string& from, const std::string& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return ok_status();
  if (errno == EEXIST) return make_error(ErrorCode::already_exists, "queue file already committed: " + to);
  if (errno != EINVAL && errno != ENOSYS)  // file systems without RENAME_NOREPLACE
    return errno_error("rename", from, errno);
  if (::access(to.c_str(), F_OK) == 0) return make_error(ErrorCode::already_exists, "queue file already committed: " + to);
  if (::rename(from.c_str(), to.c_str()) != 0) return errno_error("rename", from, errno);
  return ok_status();
}

}  // namespace

FileMessageWriter::FileMessageWriter(std::shared_ptr<QueueFolders> folders, std::string id,
                                     posix::UniqueFd fd, std::string header)
    : folders_(std::move(folders)),
      id_(std::move(id)),
      tmp_path_(folders_->tmp_path(id_)),
      fd_(std::move(fd)),
      buffer_(std::move(header)) {
  buffer_.reserve(kBufferBytes);
}

FileMessageWriter::~FileMessageWriter() { abort(); }

Status FileMessageWriter::fail(Error error) {
  failed_ = error;
  return error;
}

Status FileMessageWriter::flush() {
  if (buffer_.empty()) return ok_status();
  if (auto s = posix::write_all(fd_.get(), buffer_, tmp_path_); !s) return fail(std::move(s).error());
  buffer_.clear();
  return ok_status();
}

Status FileMessageWriter::write(std::string_view data) {
  if (finished_) return make_error(ErrorCode::internal, "write after commit or abort");
  if (failed_) return *failed_;
  size_ += data.size();
  if (buffer_.size() + data.size() <= kBufferBytes) {
    buffer_ += data;
    return ok_status();
  }
  DIRMAIL_TRY(flush());
  if (data.size() >= kBufferBytes) {
    if (auto s = posix::write_all(fd_.get(), data, tmp_path_); !s) return fail(std::move(s).error());
    return ok_status();
  }
  buffer_ += data;
  return ok_status();
}

Status FileMessageWriter::commit() {
  if (finished_) return make_error(ErrorCode::internal, "commit after commit or abort");
  if (failed_) {
    Error error = *failed_;
    abort();
    return error;
  }
  auto fail_and_abort = [this](Error error) {
    abort();
    return error;
  };
  if (auto s = flush(); !s) return fail_and_abort(std::move(s).error());
  while (::fdatasync(fd_.get()) != 0) {
    if (errno != EINTR) return fail_and_abort(errno_error("fdatasync", tmp_path_, errno));
  }
  fd_.reset();
  if (auto s = rename_no_replace(tmp_path_, folders_->msg_path(id_)); !s) return fail_and_abort(std::move(s).error());
  finished_ = true;
  // From here the file is in incoming/. If the folder sync fails the sender is told to
  // retry, and the message may be delivered twice: never lost.
  return folders_->incoming_commit.commit();
}

void FileMessageWriter::abort() {
  if (finished_) return;
  finished_ = true;
  fd_.reset();
  ::unlink(tmp_path_.c_str());
}

}  // namespace dirmail::queue
