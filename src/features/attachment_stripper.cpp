#include "dirmail/features/attachment_stripper.hpp"

#include <gmime/gmime.h>

#include <mutex>

namespace dirmail::features {
namespace {

void init_gmime() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

// GObject references released at scope end.
template <typename T>
struct GRef {
  T* p = nullptr;
  explicit GRef(T* ptr) : p(ptr) {}
  ~GRef() {
    if (p) g_object_unref(p);
  }
  GRef(const GRef&) = delete;
  GRef& operator=(const GRef&) = delete;
};

bool is_attachment(GMimeObject* part) {
  if (!GMIME_IS_PART(part)) return false;  // multiparts and attached messages are walked or kept
  if (g_mime_part_is_attachment(GMIME_PART(part))) return true;
  return g_mime_part_get_filename(GMIME_PART(part)) != nullptr;
}

std::size_t strip(GMimeObject* object, int depth) {
  if (depth > 32 || !GMIME_IS_MULTIPART(object)) return 0;
  auto* multipart = GMIME_MULTIPART(object);
  std::size_t removed = 0;
  for (int i = g_mime_multipart_get_count(multipart) - 1; i >= 0; --i) {
    GMimeObject* child = g_mime_multipart_get_part(multipart, i);
    if (is_attachment(child)) {
      g_mime_multipart_remove_at(multipart, i);  // drops the multipart's reference
      ++removed;
    } else {
      removed += strip(child, depth + 1);
    }
  }
  return removed;
}

}  // namespace

Result<StrippedMessage> strip_attachments(std::string_view message) {
  init_gmime();
  GRef<GMimeStream> in(g_mime_stream_mem_new_with_buffer(message.data(), message.size()));
  GRef<GMimeParser> parser(g_mime_parser_new_with_stream(in.p));
  GRef<GMimeMessage> parsed(g_mime_parser_construct_message(parser.p, nullptr));
  if (!parsed.p) return make_error(ErrorCode::invalid_argument, "not a MIME message");
  StrippedMessage out;
  GMimeObject* body = g_mime_message_get_mime_part(parsed.p);
  if (body) out.removed = strip(body, 0);
  if (out.removed == 0) {
    out.bytes = std::string(message);  // nothing to leave out: the message byte for byte
    return out;
  }
  GRef<GMimeStream> mem(g_mime_stream_mem_new());
  GMimeFormatOptions* format = g_mime_format_options_clone(nullptr);
  g_mime_format_options_set_newline_format(format, GMIME_NEWLINE_FORMAT_DOS);
  g_mime_object_write_to_stream(GMIME_OBJECT(parsed.p), format, mem.p);
  g_mime_format_options_free(format);
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem.p));
  out.bytes.assign(reinterpret_cast<const char*>(bytes->data), bytes->len);
  return out;
}

}  // namespace dirmail::features
