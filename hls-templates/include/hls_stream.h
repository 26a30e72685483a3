// Tessera's hls_stream.h for g++ C simulation: hls::stream<T> is a FIFO (std::deque) with the vendor
// interface: read/write, >> and <<, empty/full/size, non-blocking variants and a name.
#ifndef TESSERA_HLS_STREAM_H
#define TESSERA_HLS_STREAM_H

#include <cstdio>
#include <deque>
#include <string>

namespace hls {

#ifdef TESSERA_STREAM_TRACE
/** Test hook (off unless TESSERA_STREAM_TRACE is defined): when set, every read / write prints "R name" / "W name". */
inline std::FILE*& stream_trace_file() {
  static std::FILE* f = nullptr;
  return f;
}
#define TESSERA_STREAM_EVENT(op) \
  if (stream_trace_file()) std::fprintf(stream_trace_file(), "%c %s\n", op, name_.c_str())
#else
#define TESSERA_STREAM_EVENT(op)
#endif

template <typename T> class stream {
 public:
  stream() : name_("hls::stream") {}
  explicit stream(const char* name) : name_(name) {}
  explicit stream(const std::string& name) : name_(name) {}
  stream(const stream&) = delete;
  stream& operator=(const stream&) = delete;
  ~stream() {
    if (!q_.empty())
      std::fprintf(stderr, "WARNING: hls::stream '%s' contains leftover data (%zu values) at destruction.\n",
                   name_.c_str(), q_.size());
  }

  /** Blocking read. In C simulation a read from an empty stream cannot block: it warns and returns T(). */
  T read() {
    if (q_.empty()) {
      std::fprintf(stderr, "WARNING: hls::stream '%s' is read while empty; returning a default value.\n", name_.c_str());
      ++empty_reads_;
      return T();
    }
    TESSERA_STREAM_EVENT('R');
    T v = q_.front();
    q_.pop_front();
    return v;
  }
  void read(T& v) { v = read(); }
  void operator>>(T& v) { v = read(); }
  bool read_nb(T& v) {
    if (q_.empty()) return false;
    v = read();
    return true;
  }

  void write(const T& v) {
    TESSERA_STREAM_EVENT('W');
    q_.push_back(v);
  }
  void operator<<(const T& v) { write(v); }
  bool write_nb(const T& v) {
    write(v);
    return true;
  }

  bool empty() const { return q_.empty(); }
  bool full() const { return false; }
  std::size_t size() const { return q_.size(); }
  const char* get_name() const { return name_.c_str(); }
  /** Tessera extension: how many reads found the stream empty (a testbench can fail on it). */
  std::size_t empty_reads() const { return empty_reads_; }

 private:
  std::deque<T> q_;
  std::string name_;
  std::size_t empty_reads_ = 0;
};

}  // namespace hls

#undef TESSERA_STREAM_EVENT

#endif  // TESSERA_HLS_STREAM_H
