import Foundation
import Metrics
import Prometheus
import Vapor

/// Prometheus metrics: Vapor's request counters and timers, and our own, at `/metrics`.
enum MetricsBootstrap {
    /// swift-metrics accepts one bootstrap per process; tests configure many applications.
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    static func once() { _ = registry }

    static func render() -> String { registry.emitToString() }
}
