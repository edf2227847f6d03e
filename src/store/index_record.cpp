#include "dirmail/store/index_record.hpp"

#include <charconv>
#include <vector>

#include <fmt/format.h>

#include "dirmail/base/strings.hpp"
#include "message_names.hpp"

namespace dirmail::store {
namespace {

Error corrupt(std::string_view why) {
  return make_error(ErrorCode::io_error, "index record damaged: " + std::string(why));
}

template <typename T>
bool parse_number(std::string_view text, T& out, int base = 10) {
  if (text.empty() || text.size() > 20) return false;
  if (text.front() == '+') return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
  return ec == std::errc() && ptr == text.data() + text.size();
}

bool parse_uid(std::string_view text, std::uint32_t& uid) {
  // UID 0 is invalid in IMAP; UINT32_MAX is kept free so uidnext always fits.
  return parse_number(text, uid) && uid != 0 && uid != UINT32_MAX;
}

bool parse_flags(std::string_view text, std::uint8_t& flags) {
  unsigned value = 0;
  if (!parse_number(text, value) || (value & ~static_cast<unsigned>(kAllFlags)) != 0) return false;
  flags = static_cast<std::uint8_t>(value);
  return true;
}

std::string payload_of(const IndexRecord& r) {
  switch (r.kind) {
    case IndexRecord::Kind::header:
      return fmt::format("H {} {} {:016x}", r.header.uidvalidity, r.header.uidnext, r.header.generation);
    case IndexRecord::Kind::add:
      return fmt::format("A {} {} {} {} {} {}", r.info.uid, r.info.size, r.info.internal_date,
                         static_cast<unsigned>(r.info.flags), r.info.uidl, r.file);
    case IndexRecord::Kind::flags:
      return fmt::format("F {} {}", r.info.uid, static_cast<unsigned>(r.info.flags));
    case IndexRecord::Kind::expunge:
      return fmt::format("X {}", r.info.uid);
  }
  return {};
}

}  // namespace

IndexRecord IndexRecord::make_header(const IndexHeader& header) {
  IndexRecord r;
  r.kind = Kind::header;
  r.header = header;
  return r;
}

IndexRecord IndexRecord::make_add(MessageInfo info, std::string file) {
  IndexRecord r;
  r.kind = Kind::add;
  r.info = std::move(info);
  r.file = std::move(file);
  return r;
}

IndexRecord IndexRecord::make_flags(std::uint32_t uid, std::uint8_t flags) {
  IndexRecord r;
  r.kind = Kind::flags;
  r.info.uid = uid;
  r.info.flags = flags;
  return r;
}

IndexRecord IndexRecord::make_expunge(std::uint32_t uid) {
  IndexRecord r;
  r.kind = Kind::expunge;
  r.info.uid = uid;
  return r;
}

std::string format_index_record(const IndexRecord& record) {
  std::string payload = payload_of(record);
  return fmt::format("{:08x} {}\n", fnv1a32(payload), payload);
}

Result<IndexRecord> parse_index_record(std::string_view line) {
  if (line.size() + 1 > kMaxIndexRecordBytes) return corrupt("too long");
  if (line.size() < 11 || line[8] != ' ') return corrupt("too short");
  std::uint32_t checksum = 0;
  if (!parse_number(line.substr(0, 8), checksum, 16)) return corrupt("bad checksum field");
  std::string_view payload = line.substr(9);
  if (fnv1a32(payload) != checksum) return corrupt("checksum mismatch");

  auto fields = split(payload, ' ');
  if (fields[0] == "H" && fields.size() == 4) {
    IndexHeader h;
    if (!parse_number(fields[1], h.uidvalidity) || h.uidvalidity == 0) return corrupt("bad uidvalidity");
    if (!parse_number(fields[2], h.uidnext) || h.uidnext == 0) return corrupt("bad uidnext");
    if (fields[3].size() != 16 || !parse_number(fields[3], h.generation, 16)) return corrupt("bad generation");
    return IndexRecord::make_header(h);
  }
  if (fields[0] == "A" && fields.size() == 7) {
    MessageInfo info;
    if (!parse_uid(fields[1], info.uid)) return corrupt("bad uid");
    if (!parse_number(fields[2], info.size)) return corrupt("bad size");
    if (!parse_number(fields[3], info.internal_date)) return corrupt("bad date");
    if (!parse_flags(fields[4], info.flags)) return corrupt("bad flags");
    if (!valid_uidl(fields[5])) return corrupt("bad uidl");
    if (!valid_message_file_name(fields[6])) return corrupt("bad file name");
    info.uidl = std::string(fields[5]);
    return IndexRecord::make_add(std::move(info), std::string(fields[6]));
  }
  if (fields[0] == "F" && fields.size() == 3) {
    std::uint32_t uid = 0;
    std::uint8_t flags = 0;
    if (!parse_uid(fields[1], uid)) return corrupt("bad uid");
    if (!parse_flags(fields[2], flags)) return corrupt("bad flags");
    return IndexRecord::make_flags(uid, flags);
  }
  if (fields[0] == "X" && fields.size() == 2) {
    std::uint32_t uid = 0;
    if (!parse_uid(fields[1], uid)) return corrupt("bad uid");
    return IndexRecord::make_expunge(uid);
  }
  return corrupt("unknown record");
}

}  // namespace dirmail::store
