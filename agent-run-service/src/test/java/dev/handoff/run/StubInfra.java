package dev.handoff.run;

import io.quarkus.test.common.QuarkusTestResource;

/** Every test of this module sees task-service and provider-gateway as {@link DownstreamStubs} answers them. */
@QuarkusTestResource(DownstreamStubs.class)
public class StubInfra {
}
