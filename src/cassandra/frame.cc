#include "cassandra/frame.h"

#include "cassandra/codec.h"

namespace shopstream::cassandra {

const char* OpcodeName(Opcode op) {
  switch (op) {
    case Opcode::kError:
      return "ERROR";
    case Opcode::kStartup:
      return "STARTUP";
    case Opcode::kReady:
      return "READY";
    case Opcode::kAuthenticate:
      return "AUTHENTICATE";
    case Opcode::kOptions:
      return "OPTIONS";
    case Opcode::kSupported:
      return "SUPPORTED";
    case Opcode::kQuery:
      return "QUERY";
    case Opcode::kResult:
      return "RESULT";
    case Opcode::kPrepare:
      return "PREPARE";
    case Opcode::kExecute:
      return "EXECUTE";
    case Opcode::kRegister:
      return "REGISTER";
    case Opcode::kEvent:
      return "EVENT";
    case Opcode::kBatch:
      return "BATCH";
    case Opcode::kAuthChallenge:
      return "AUTH_CHALLENGE";
    case Opcode::kAuthResponse:
      return "AUTH_RESPONSE";
    case Opcode::kAuthSuccess:
      return "AUTH_SUCCESS";
  }
  return "UNKNOWN";
}

namespace {
bool KnownOpcode(uint8_t op) { return op <= 0x10 && op != 0x04; }
}  // namespace

std::string EncodeFrame(int16_t stream, Opcode opcode, std::string_view body, uint8_t flags,
                        uint8_t version) {
  Writer w;
  w.write_byte(version);
  w.write_byte(flags);
  w.write_short(static_cast<uint16_t>(stream));
  w.write_byte(static_cast<uint8_t>(opcode));
  size_t length_at = w.size();
  w.write_int(0);
  w.write_raw(body);
  w.patch_int(length_at, static_cast<int32_t>(w.size() - kHeaderSize));
  return w.take();
}

Result<FrameHeader> DecodeFrameHeader(std::string_view bytes) {
  Reader r(bytes.substr(0, std::min(bytes.size(), kHeaderSize)), "frame header");
  FrameHeader h;
  h.version = r.read_byte();
  h.flags = r.read_byte();
  h.stream = static_cast<int16_t>(r.read_short());
  uint8_t op = r.read_byte();
  h.length = r.read_int();
  if (!r.ok()) return r.status();
  if ((h.version & 0x7F) != kRequestVersion) {
    return Status::Corruption("frame header: protocol version " + std::to_string(h.version & 0x7F) +
                              ", expected 4");
  }
  if (!KnownOpcode(op))
    return Status::Corruption("frame header: unknown opcode " + std::to_string(op));
  h.opcode = static_cast<Opcode>(op);
  if (h.length < 0 || h.length > kMaxBodyLength) {
    return Status::Corruption("frame header: body length " + std::to_string(h.length) +
                              " is out of range");
  }
  return h;
}

Result<Frame> DecodeFrame(std::string_view bytes) {
  auto header = DecodeFrameHeader(bytes);
  if (!header.ok()) return header.status();
  size_t have = bytes.size() - kHeaderSize;
  size_t want = static_cast<size_t>(header->length);
  if (have < want) {
    return Status::Corruption("truncated " + std::string(OpcodeName(header->opcode)) +
                              " frame: header says " + std::to_string(want) + " body bytes, " +
                              std::to_string(have) + " present");
  }
  if (have > want) {
    return Status::Corruption(std::to_string(have - want) + " bytes after the " +
                              OpcodeName(header->opcode) + " frame");
  }
  return Frame{*header, std::string(bytes.substr(kHeaderSize))};
}

Result<size_t> FrameSizeIfKnown(std::string_view buffered) {
  if (buffered.size() < kHeaderSize) return size_t{0};
  auto header = DecodeFrameHeader(buffered);
  if (!header.ok()) return header.status();
  return kHeaderSize + static_cast<size_t>(header->length);
}

}  // namespace shopstream::cassandra
