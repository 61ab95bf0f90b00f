package dev.handoff.gateway;

import dev.handoff.testsupport.FakeCursorTestResource;
import dev.handoff.testsupport.HandoffTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;

/**
 * Every test of this module runs against the real broker and a fresh copy of the service's database; Cursor's API is
 * the fake that follows its published v0 API.
 */
@QuarkusTestResource(value = HandoffTestResource.class, initArgs = @ResourceArg(name = "database", value = "handoff_gateway"))
@QuarkusTestResource(FakeCursorTestResource.class)
public class TestInfra {
}
