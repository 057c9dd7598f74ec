//! Decoding a 100-item setup session page into the generated types versus into
//! `serde_json::Value`, measured side by side.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use metorial_models::ProviderSetupSessionList;

fn decode(c: &mut Criterion) {
    let page = metorial_bench::session_page(100);
    let mut group = c.benchmark_group("decode_page");
    group.throughput(Throughput::Bytes(page.len() as u64));
    group.bench_function("typed", |b| {
        b.iter(|| {
            serde_json::from_slice::<ProviderSetupSessionList>(std::hint::black_box(&page)).unwrap()
        })
    });
    group.bench_function("value", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(std::hint::black_box(&page)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
