#include "progress_bar.hpp"

#include <ostream>

#include <fmt/format.h>

namespace dirmail::import_tool {

std::string format_progress(const migration::ImportProgress& p, std::size_t width) {
  const std::size_t filled = p.total == 0 ? width : std::min(width, p.done * width / p.total);
  std::string bar(filled, '#');
  bar.append(width - filled, '.');
  std::string line = fmt::format("[{}] {:>{}}/{} accounts  {} messages  {:.1f} MB", bar, p.done,
                                 fmt::formatted_size("{}", p.total), p.total, p.messages,
                                 static_cast<double>(p.bytes) / 1e6);
  if (!p.current.empty()) line += "  " + p.current;
  return line;
}

void ProgressBar::update(const migration::ImportProgress& progress) {
  const auto now = std::chrono::steady_clock::now();
  const bool last = progress.done == progress.total;
  if (drawn_ && !last && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  // \r and "erase to the end of the line": a shorter line leaves nothing behind.
  out_ << "\r" << format_progress(progress) << "\x1b[K" << std::flush;
  drawn_ = true;
}

ProgressBar::~ProgressBar() {
  if (drawn_) out_ << "\n" << std::flush;
}

}  // namespace dirmail::import_tool
