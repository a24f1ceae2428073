/* faiss-shim.cpp — the part of the FAISS C API that Docent calls, over the
 * C++ library.
 *
 * Debian 12's libfaiss-dev (FAISS 1.7.3) ships the C API headers but not
 * libfaiss_c. This file implements the functions Docent uses, with the
 * signatures of the system headers (included below, so the compiler checks
 * them) and the upstream conventions:
 *
 * - Functions that can fail return 0 on success; a C++ exception is caught
 *   and turned into -2 (faiss::FaissException), -4 (any other
 *   std::exception, e.g. std::bad_alloc) or -1 (anything else), and its
 *   message is kept for faiss_get_last_error(). As upstream, the message is
 *   per thread, is not cleared by a later success, and is NULL while no call
 *   on this thread has failed. Unlike an upstream debug build, nothing is
 *   printed to stderr.
 * - Every index handle (FaissIndex and the types the headers alias to it,
 *   FaissIndexFlat, FaissIndexIVFFlat, FaissIndexIDMap...) is a
 *   `faiss::Index *` pointing at the Index base of the object. The *_cast
 *   functions check the dynamic type and return the same handle or NULL.
 *   Every selector handle (FaissIDSelector, FaissIDSelectorBatch,
 *   FaissIDSelectorRange) is a `faiss::IDSelector *`; free it with
 *   faiss_IDSelector_free (1.7.3 declares no faiss_IDSelectorBatch_free).
 * - The getters and setters of a subclass (faiss_IndexIVFFlat_nprobe...)
 *   check the dynamic type: on a handle of another type a getter returns 0
 *   and a setter does nothing, where upstream would reinterpret memory.
 *
 * - The constructors refuse a NULL sub-index or quantizer, and
 *   faiss_IndexIVFFlat_new_with_metric checks the quantizer's dimension
 *   itself: FAISS 1.7.3's IndexIVF constructor checks it only after
 *   allocating its inverted lists, which then leak.
 *
 * io_flags are passed to faiss::read_index unchanged, as upstream does.
 * Note that the C header's FAISS_IO_FLAG_MMAP (1) is not the C++
 * IO_FLAG_MMAP, so from C it changes nothing. FAISS 1.7.3's read_index
 * leaks what it had built when a read fails part way. */

#include <faiss/c_api/error_c.h>
#include <faiss/c_api/faiss_c.h>
#include <faiss/c_api/impl/AuxIndexStructures_c.h>
#include <faiss/c_api/Index_c.h>
#include <faiss/c_api/IndexFlat_c.h>
#include <faiss/c_api/IndexIVF_c.h>
#include <faiss/c_api/IndexIVFFlat_c.h>
#include <faiss/c_api/index_factory_c.h>
#include <faiss/c_api/index_io_c.h>
#include <faiss/c_api/MetaIndexes_c.h>

#include <faiss/Index.h>
#include <faiss/IndexFlat.h>
#include <faiss/IndexIDMap.h>
#include <faiss/IndexIVF.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/impl/FaissAssert.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/index_factory.h>
#include <faiss/index_io.h>

#include <cinttypes>
#include <cstdio>
#include <exception>
#include <string>
#include <type_traits>

static_assert(std::is_same<faiss_idx_t, faiss::Index::idx_t>::value,
              "the C API's idx_t must be FAISS's");
static_assert(static_cast<int>(METRIC_INNER_PRODUCT) == faiss::METRIC_INNER_PRODUCT &&
                      static_cast<int>(METRIC_L2) == faiss::METRIC_L2,
              "the C API's metric values must be FAISS's");

namespace {

/* The message of the last failed call on this thread. */
thread_local bool last_error_set = false;
thread_local std::string last_error;

void
set_last_error (const char *message)
{
  try
    {
      last_error = message != nullptr ? message : "";
    }
  catch (...)
    {
      last_error.clear ();
    }
  last_error_set = true;
}

/* Runs `body`, turning exceptions into the C API's error codes. */
template <typename F>
int
guarded (F &&body) noexcept
{
  try
    {
      body ();
      return 0;
    }
  catch (const faiss::FaissException &e)
    {
      set_last_error (e.what ());
      return FAISS_EXCEPT;
    }
  catch (const std::exception &e)
    {
      set_last_error (e.what ());
      return STD_EXCEPT;
    }
  catch (...)
    {
      set_last_error ("Unknown error");
      return UNKNOWN_EXCEPT;
    }
}

/* Handles and C++ objects. An index handle is always the object's
 * faiss::Index base; a selector handle its faiss::IDSelector base. */

faiss::Index *
to_index (FaissIndex *index)
{
  return reinterpret_cast<faiss::Index *> (index);
}

const faiss::Index *
to_index (const FaissIndex *index)
{
  return reinterpret_cast<const faiss::Index *> (index);
}

FaissIndex *
to_handle (faiss::Index *index)
{
  return reinterpret_cast<FaissIndex *> (index);
}

const faiss::IDSelector *
to_selector (const FaissIDSelector *sel)
{
  return reinterpret_cast<const faiss::IDSelector *> (sel);
}

/* The object behind an index handle as a T, or nullptr if it is not one. */
template <typename T>
T *
index_as (FaissIndex *index)
{
  return dynamic_cast<T *> (to_index (index));
}

template <typename T>
const T *
index_as (const FaissIndex *index)
{
  return dynamic_cast<const T *> (to_index (index));
}

/* The handle itself if its object is a T, else NULL: what every *_cast
 * function returns. */
template <typename T>
FaissIndex *
index_cast (FaissIndex *index)
{
  return index_as<T> (index) != nullptr ? index : nullptr;
}

/* Hands out a new index as a handle. */
template <typename T>
void
index_new (FaissIndex **p_index, T *object)
{
  *p_index = to_handle (static_cast<faiss::Index *> (object));
}

} // namespace

extern "C" {

/* Errors */

const char *
faiss_get_last_error ()
{
  return last_error_set ? last_error.c_str () : nullptr;
}

/* Index */

void
faiss_Index_free (FaissIndex *obj)
{
  delete to_index (obj);
}

int
faiss_Index_d (const FaissIndex *obj)
{
  return static_cast<int> (to_index (obj)->d);
}

int
faiss_Index_is_trained (const FaissIndex *obj)
{
  return to_index (obj)->is_trained ? 1 : 0;
}

idx_t
faiss_Index_ntotal (const FaissIndex *obj)
{
  return to_index (obj)->ntotal;
}

FaissMetricType
faiss_Index_metric_type (const FaissIndex *obj)
{
  return static_cast<FaissMetricType> (to_index (obj)->metric_type);
}

int
faiss_Index_train (FaissIndex *index, idx_t n, const float *x)
{
  return guarded ([&] { to_index (index)->train (n, x); });
}

int
faiss_Index_add (FaissIndex *index, idx_t n, const float *x)
{
  return guarded ([&] { to_index (index)->add (n, x); });
}

int
faiss_Index_add_with_ids (FaissIndex *index, idx_t n, const float *x, const idx_t *xids)
{
  return guarded ([&] { to_index (index)->add_with_ids (n, x, xids); });
}

int
faiss_Index_search (const FaissIndex *index, idx_t n, const float *x, idx_t k,
                    float *distances, idx_t *labels)
{
  return guarded ([&] { to_index (index)->search (n, x, k, distances, labels); });
}

int
faiss_Index_remove_ids (FaissIndex *index, const FaissIDSelector *sel, size_t *n_removed)
{
  return guarded ([&] {
    size_t removed = to_index (index)->remove_ids (*to_selector (sel));

    if (n_removed != nullptr)
      *n_removed = removed;
  });
}

int
faiss_Index_reset (FaissIndex *index)
{
  return guarded ([&] { to_index (index)->reset (); });
}

int
faiss_Index_reconstruct (const FaissIndex *index, idx_t key, float *recons)
{
  return guarded ([&] { to_index (index)->reconstruct (key, recons); });
}

/* IndexFlat */

int
faiss_IndexFlat_new_with (FaissIndexFlat **p_index, idx_t d, FaissMetricType metric)
{
  return guarded ([&] {
    index_new (p_index, new faiss::IndexFlat (d, static_cast<faiss::MetricType> (metric)));
  });
}

int
faiss_IndexFlatIP_new_with (FaissIndexFlatIP **p_index, idx_t d)
{
  return guarded ([&] { index_new (p_index, new faiss::IndexFlatIP (d)); });
}

int
faiss_IndexFlatL2_new_with (FaissIndexFlatL2 **p_index, idx_t d)
{
  return guarded ([&] { index_new (p_index, new faiss::IndexFlatL2 (d)); });
}

/* IndexIDMap, IndexIDMap2 */

int
faiss_IndexIDMap_new (FaissIndexIDMap **p_index, FaissIndex *index)
{
  return guarded ([&] {
    FAISS_THROW_IF_NOT_MSG (index != nullptr, "IndexIDMap needs a sub-index");
    index_new (p_index, new faiss::IndexIDMap (to_index (index)));
  });
}

int
faiss_IndexIDMap2_new (FaissIndexIDMap2 **p_index, FaissIndex *index)
{
  return guarded ([&] {
    FAISS_THROW_IF_NOT_MSG (index != nullptr, "IndexIDMap2 needs a sub-index");
    index_new (p_index, new faiss::IndexIDMap2 (to_index (index)));
  });
}

FaissIndexIDMap *
faiss_IndexIDMap_cast (FaissIndex *index)
{
  return index_cast<faiss::IndexIDMap> (index);
}

FaissIndexIDMap2 *
faiss_IndexIDMap2_cast (FaissIndex *index)
{
  return index_cast<faiss::IndexIDMap2> (index);
}

int
faiss_IndexIDMap_own_fields (const FaissIndexIDMap *obj)
{
  const faiss::IndexIDMap *map = index_as<faiss::IndexIDMap> (obj);

  return map != nullptr && map->own_fields ? 1 : 0;
}

void
faiss_IndexIDMap_set_own_fields (FaissIndexIDMap *obj, int own_fields)
{
  faiss::IndexIDMap *map = index_as<faiss::IndexIDMap> (obj);

  if (map != nullptr)
    map->own_fields = own_fields != 0;
}

void
faiss_IndexIDMap_id_map (FaissIndexIDMap *index, idx_t **p_id_map, size_t *p_size)
{
  faiss::IndexIDMap *map = index_as<faiss::IndexIDMap> (index);

  if (p_id_map != nullptr)
    *p_id_map = map != nullptr ? map->id_map.data () : nullptr;
  if (p_size != nullptr)
    *p_size = map != nullptr ? map->id_map.size () : 0;
}

FaissIndex *
faiss_IndexIDMap_sub_index (FaissIndexIDMap *index)
{
  faiss::IndexIDMap *map = index_as<faiss::IndexIDMap> (index);

  return map != nullptr ? to_handle (map->index) : nullptr;
}

/* IndexIVF, IndexIVFFlat */

int
faiss_IndexIVFFlat_new_with_metric (FaissIndexIVFFlat **p_index, FaissIndex *quantizer,
                                    size_t d, size_t nlist, FaissMetricType metric)
{
  return guarded ([&] {
    faiss::Index *q = to_index (quantizer);

    /* IndexIVF's constructor checks this too, but only after allocating its
     * inverted lists, which then leak. */
    FAISS_THROW_IF_NOT_MSG (q != nullptr, "IndexIVFFlat needs a quantizer");
    FAISS_THROW_IF_NOT_FMT (q->d >= 0 && static_cast<size_t> (q->d) == d,
                            "quantizer of dimension %" PRId64 " for an index of dimension %zu",
                            static_cast<int64_t> (q->d), d);
    index_new (p_index, new faiss::IndexIVFFlat (q, d, nlist,
                                                 static_cast<faiss::MetricType> (metric)));
  });
}

FaissIndexIVFFlat *
faiss_IndexIVFFlat_cast (FaissIndex *index)
{
  return index_cast<faiss::IndexIVFFlat> (index);
}

FaissIndexIVF *
faiss_IndexIVF_cast (FaissIndex *index)
{
  return index_cast<faiss::IndexIVF> (index);
}

size_t
faiss_IndexIVFFlat_nlist (const FaissIndexIVFFlat *obj)
{
  const faiss::IndexIVFFlat *ivf = index_as<faiss::IndexIVFFlat> (obj);

  return ivf != nullptr ? ivf->nlist : 0;
}

size_t
faiss_IndexIVFFlat_nprobe (const FaissIndexIVFFlat *obj)
{
  const faiss::IndexIVFFlat *ivf = index_as<faiss::IndexIVFFlat> (obj);

  return ivf != nullptr ? ivf->nprobe : 0;
}

void
faiss_IndexIVFFlat_set_nprobe (FaissIndexIVFFlat *obj, size_t nprobe)
{
  faiss::IndexIVFFlat *ivf = index_as<faiss::IndexIVFFlat> (obj);

  if (ivf != nullptr)
    ivf->nprobe = nprobe;
}

int
faiss_IndexIVFFlat_own_fields (const FaissIndexIVFFlat *obj)
{
  const faiss::IndexIVFFlat *ivf = index_as<faiss::IndexIVFFlat> (obj);

  return ivf != nullptr && ivf->own_fields ? 1 : 0;
}

void
faiss_IndexIVFFlat_set_own_fields (FaissIndexIVFFlat *obj, int own_fields)
{
  faiss::IndexIVFFlat *ivf = index_as<faiss::IndexIVFFlat> (obj);

  if (ivf != nullptr)
    ivf->own_fields = own_fields != 0;
}

size_t
faiss_IndexIVF_nlist (const FaissIndexIVF *obj)
{
  const faiss::IndexIVF *ivf = index_as<faiss::IndexIVF> (obj);

  return ivf != nullptr ? ivf->nlist : 0;
}

size_t
faiss_IndexIVF_nprobe (const FaissIndexIVF *obj)
{
  const faiss::IndexIVF *ivf = index_as<faiss::IndexIVF> (obj);

  return ivf != nullptr ? ivf->nprobe : 0;
}

void
faiss_IndexIVF_set_nprobe (FaissIndexIVF *obj, size_t nprobe)
{
  faiss::IndexIVF *ivf = index_as<faiss::IndexIVF> (obj);

  if (ivf != nullptr)
    ivf->nprobe = nprobe;
}

/* IDSelector */

int
faiss_IDSelectorBatch_new (FaissIDSelectorBatch **p_sel, size_t n, const idx_t *indices)
{
  return guarded ([&] {
    faiss::IDSelector *sel = new faiss::IDSelectorBatch (n, indices);

    *p_sel = reinterpret_cast<FaissIDSelectorBatch *> (sel);
  });
}

int
faiss_IDSelectorRange_new (FaissIDSelectorRange **p_sel, idx_t imin, idx_t imax)
{
  return guarded ([&] {
    faiss::IDSelector *sel = new faiss::IDSelectorRange (imin, imax);

    *p_sel = reinterpret_cast<FaissIDSelectorRange *> (sel);
  });
}

void
faiss_IDSelector_free (FaissIDSelector *obj)
{
  delete reinterpret_cast<faiss::IDSelector *> (obj);
}

/* I/O */

int
faiss_write_index (const FaissIndex *idx, FILE *f)
{
  return guarded ([&] { faiss::write_index (to_index (idx), f); });
}

int
faiss_write_index_fname (const FaissIndex *idx, const char *fname)
{
  return guarded ([&] { faiss::write_index (to_index (idx), fname); });
}

int
faiss_read_index (FILE *f, int io_flags, FaissIndex **p_out)
{
  return guarded ([&] { *p_out = to_handle (faiss::read_index (f, io_flags)); });
}

int
faiss_read_index_fname (const char *fname, int io_flags, FaissIndex **p_out)
{
  return guarded ([&] { *p_out = to_handle (faiss::read_index (fname, io_flags)); });
}

/* index_factory */

int
faiss_index_factory (FaissIndex **p_index, int d, const char *description,
                     FaissMetricType metric)
{
  return guarded ([&] {
    *p_index = to_handle (faiss::index_factory (d, description,
                                                static_cast<faiss::MetricType> (metric)));
  });
}

} // extern "C"
