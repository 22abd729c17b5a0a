//! Cache keys and the thread-safe cache.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use air_metal::{
    Cache, CacheKey, CompileOptions, ConstantValue, FunctionConstants, LanguageVersion, LinkMode,
};

fn key(
    shell: &[u8],
    kernel: &str,
    msl: &str,
    c: &FunctionConstants,
    o: &CompileOptions,
    l: LinkMode,
) -> CacheKey {
    CacheKey::pipeline(shell, kernel, msl, c, o, l)
}

#[test]
fn every_input_changes_the_pipeline_key() {
    let c = FunctionConstants::new().with(0, ConstantValue::UInt(64));
    let o = CompileOptions::default();
    let base = key(b"MTLB1", "k", "src", &c, &o, LinkMode::Private);
    assert_eq!(base, key(b"MTLB1", "k", "src", &c, &o, LinkMode::Private));
    let variants = [
        key(b"MTLB2", "k", "src", &c, &o, LinkMode::Private),
        key(b"MTLB1", "k2", "src", &c, &o, LinkMode::Private),
        key(b"MTLB1", "k", "src ", &c, &o, LinkMode::Private),
        key(
            b"MTLB1",
            "k",
            "src",
            &FunctionConstants::new(),
            &o,
            LinkMode::Private,
        ),
        key(
            b"MTLB1",
            "k",
            "src",
            &FunctionConstants::new().with(0, ConstantValue::UInt(65)),
            &o,
            LinkMode::Private,
        ),
        key(
            b"MTLB1",
            "k",
            "src",
            &FunctionConstants::new().with(1, ConstantValue::UInt(64)),
            &o,
            LinkMode::Private,
        ),
        // Same bits, other type.
        key(
            b"MTLB1",
            "k",
            "src",
            &FunctionConstants::new().with(0, ConstantValue::Int(64)),
            &o,
            LinkMode::Private,
        ),
        key(
            b"MTLB1",
            "k",
            "src",
            &c,
            &CompileOptions {
                fast_math: false,
                ..o.clone()
            },
            LinkMode::Private,
        ),
        key(
            b"MTLB1",
            "k",
            "src",
            &c,
            &CompileOptions {
                language_version: LanguageVersion::V3_1,
                ..o.clone()
            },
            LinkMode::Private,
        ),
        key(b"MTLB1", "k", "src", &c, &o, LinkMode::Functions),
    ];
    for (i, v) in variants.iter().enumerate() {
        assert_ne!(*v, base, "variant {i}");
        for (j, w) in variants.iter().enumerate().skip(i + 1) {
            assert_ne!(v, w, "variants {i} and {j}");
        }
    }
    // Field boundaries are unambiguous.
    assert_ne!(
        key(b"ab", "c", "d", &c, &o, LinkMode::Private),
        key(b"a", "bc", "d", &c, &o, LinkMode::Private)
    );
    // Kinds are separated.
    assert_ne!(
        CacheKey::shell_library(b"x"),
        CacheKey::msl_library("x", &o)
    );
}

#[test]
fn constant_order_does_not_matter() {
    let a = FunctionConstants::new()
        .with(2, ConstantValue::Float(1.5))
        .with(0, ConstantValue::Bool(true));
    let b = FunctionConstants::new()
        .with(0, ConstantValue::Bool(true))
        .with(2, ConstantValue::Float(1.5));
    assert_eq!(a.key_bytes(), b.key_bytes());
}

#[test]
fn generated_shells_give_stable_keys() {
    // Shells and metallibs are deterministic, so a pipeline key computed
    // from a freshly generated shell hits across runs.
    let case = air_metal::cases::simple();
    let a = air_metal::metallib_bytes(&case.shell().unwrap()).unwrap();
    let b = air_metal::metallib_bytes(&case.shell().unwrap()).unwrap();
    assert_eq!(a, b);
    assert_eq!(&a[..4], b"MTLB");
    let o = CompileOptions::for_target_id("macos26");
    assert_eq!(o.language_version, LanguageVersion::V4_0);
    assert_eq!(
        CompileOptions::for_target_id("macos14").language_version,
        LanguageVersion::V3_1
    );
    let k = |bytes: &[u8]| {
        key(
            bytes,
            "reverse_kernel",
            &case.msl,
            &FunctionConstants::new(),
            &o,
            LinkMode::Private,
        )
    };
    assert_eq!(k(&a), k(&b));
    assert_eq!(k(&a).hex().len(), 64);
}

#[test]
fn cache_hits_misses_and_errors() {
    let cache: Cache<String> = Cache::new();
    let k1 = CacheKey::shell_library(b"1");
    let k2 = CacheKey::shell_library(b"2");
    assert_eq!(cache.get(&k1), None);
    let v = cache
        .get_or_try_insert_with(k1, || Ok::<_, ()>("one".to_string()))
        .unwrap();
    assert_eq!(v, "one");
    let v = cache
        .get_or_try_insert_with(k1, || -> Result<String, ()> {
            panic!("must not build twice")
        })
        .unwrap();
    assert_eq!(v, "one");
    // A failed build caches nothing.
    assert_eq!(
        cache.get_or_try_insert_with(k2, || Err("boom")),
        Err("boom")
    );
    assert!(!cache.contains(&k2));
    let s = cache.stats();
    assert_eq!((s.hits, s.misses, s.entries), (1, 2, 1));
    cache.insert(k2, "two".into());
    assert_eq!(cache.get(&k2).as_deref(), Some("two"));
    cache.clear();
    assert!(!cache.contains(&k1));
}

#[test]
fn concurrent_builds_of_one_key_run_once() {
    let cache: Arc<Cache<usize>> = Arc::new(Cache::new());
    let builds = Arc::new(AtomicUsize::new(0));
    let key = CacheKey::shell_library(b"shared");
    let threads: Vec<_> = (0..16)
        .map(|i| {
            let cache = Arc::clone(&cache);
            let builds = Arc::clone(&builds);
            std::thread::spawn(move || {
                // Half the threads also build keys of their own.
                if i % 2 == 0 {
                    let own = CacheKey::shell_library(&[i as u8]);
                    cache
                        .get_or_try_insert_with(own, || Ok::<_, ()>(i))
                        .unwrap();
                }
                cache
                    .get_or_try_insert_with(key, || {
                        builds.fetch_add(1, Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(20));
                        Ok::<_, ()>(42)
                    })
                    .unwrap()
            })
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), 42);
    }
    assert_eq!(builds.load(Ordering::SeqCst), 1);
    let s = cache.stats();
    assert_eq!(s.entries, 9);
    assert_eq!(s.hits, 15);
}
