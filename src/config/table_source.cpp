#include "dirmail/config/table_source.hpp"

#include <fcntl.h>

#include <fmt/format.h>

#include "dirmail/base/posix_file.hpp"

namespace dirmail::config {

Result<std::optional<TableSource>> table_source(std::string_view file_setting, const std::string& file,
                                                std::string_view list_setting, const std::vector<std::string>& list,
                                                std::size_t max_bytes) {
  if (!file.empty() && !list.empty())
    return make_error(ErrorCode::invalid_argument,
                      fmt::format("{} and {} are both set: use one of them", file_setting, list_setting));
  if (!list.empty()) return std::optional<TableSource>(TableSource{false, std::string(list_setting), {}, &list});
  if (file.empty()) return std::optional<TableSource>();
  auto fd = posix::open_file(file, O_RDONLY | O_NONBLOCK);
  if (!fd) return make_error(fd.error().code, fmt::format("{}: {}", file_setting, fd.error().message));
  auto text = posix::pread_up_to(fd->get(), 0, max_bytes + 1, file);
  if (!text) return make_error(text.error().code, fmt::format("{}: {}", file_setting, text.error().message));
  if (text->size() > max_bytes)
    return make_error(ErrorCode::limit_exceeded,
                      fmt::format("{}: {} is larger than {} bytes", file_setting, file, max_bytes));
  return std::optional<TableSource>(TableSource{true, file, std::move(*text), nullptr});
}

Status for_each_table_line(std::string_view text, std::string_view name, std::size_t max_bytes,
                           const std::function<Status(std::string_view line, std::string origin)>& add) {
  if (text.starts_with("\xFF\xFE") || text.starts_with("\xFE\xFF"))
    return make_error(ErrorCode::invalid_argument,
                      fmt::format("{}:1: the file is UTF-16 (Notepad's \"Unicode\"): save it as UTF-8 or ANSI", name));
  if (text.size() > max_bytes) {
    std::size_t line = 1;
    for (std::size_t i = 0; i < max_bytes; ++i)
      if (text[i] == '\n') ++line;
    return make_error(ErrorCode::limit_exceeded, fmt::format("{}:{}: the file is larger than {} bytes", name, line, max_bytes));
  }
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::size_t number = 0;
  while (!text.empty()) {
    ++number;
    const auto lf = text.find('\n');
    std::string_view line = text.substr(0, lf);
    text.remove_prefix(lf == std::string_view::npos ? text.size() : lf + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    DIRMAIL_TRY(add(line, fmt::format("{}:{}", name, number)));
  }
  return ok_status();
}

Status for_each_table_entry(const std::vector<std::string>& entries, std::string_view name,
                            const std::function<Status(std::string_view line, std::string origin)>& add) {
  for (std::size_t i = 0; i < entries.size(); ++i) {
    std::string origin = fmt::format("{}[{}]", name, i);
    if (entries[i].find_first_of("\r\n") != std::string::npos)
      return make_error(ErrorCode::invalid_argument, origin + ": an entry is one line: it must not hold a line break");
    DIRMAIL_TRY(add(entries[i], std::move(origin)));
  }
  return ok_status();
}

}  // namespace dirmail::config
