#include "file_message_writer.hpp"

namespace dirmail::queue {

FileMessageWriter::FileMessageWriter(std::shared_ptr<QueueFolders> folders, std::string id,
                                     std::unique_ptr<store::File> file, std::string header, posix::UniqueFd spool)
    : folders_(std::move(folders)),
      id_(std::move(id)),
      tmp_path_(folders_->tmp_path(id_)),
      file_(std::move(file)),
      buffer_(std::move(header)),
      spool_(std::move(spool)),
      tmp_created_(!spool_.valid()) {
  buffer_.reserve(kBufferBytes);
}

FileMessageWriter::~FileMessageWriter() { abort(); }

Status FileMessageWriter::fail(Error error) {
  failed_ = error;
  return error;
}

Status FileMessageWriter::write_out(std::string_view data) {
  if (auto s = file_->write_at(written_, data); !s) return fail(std::move(s).error());
  written_ += data.size();
  return ok_status();
}

Status FileMessageWriter::flush() {
  if (buffer_.empty()) return ok_status();
  DIRMAIL_TRY(write_out(buffer_));
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
  if (data.size() >= kBufferBytes) return write_out(data);
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
  if (auto s = spool_.valid() ? copy_spool_to_share() : file_->sync(); !s) return fail_and_abort(std::move(s).error());
  file_.reset();
  // Never over a committed message (an id taken twice after the clock went back).
  if (auto s = folders_->fs.rename(tmp_path_, folders_->msg_path(id_), store::Rename::no_replace); !s) {
    if (s.error().code == ErrorCode::already_exists) s = make_error(ErrorCode::already_exists, "queue file already committed: " + folders_->msg_path(id_));
    return fail_and_abort(std::move(s).error());
  }
  finished_ = true;
  // From here the file is in incoming/. If the folder sync fails the sender is told to
  // retry, and the message may be delivered twice: never lost.
  return folders_->incoming_commit.commit();
}

Status FileMessageWriter::copy_spool_to_share() {
  auto out = folders_->fs.open(tmp_path_, store::OpenMode::create_new);
  if (!out) return std::move(out).error();
  tmp_created_ = true;
  DIRMAIL_TRY((*out)->write_from(0, spool_.get(), 0, written_));
  return (*out)->sync();
}

void FileMessageWriter::abort() {
  if (finished_) return;
  finished_ = true;
  file_.reset();
  if (tmp_created_) (void)folders_->fs.remove(tmp_path_);  // never a network call for a spool only
}

}  // namespace dirmail::queue
