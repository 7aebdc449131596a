package dev.landlockagent.it;

import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The test needs Landlock of at least {@link #abi()}. Without it the test is skipped with the
 * reason, or fails when {@code LANDLOCK_REQUIRED=1} (as .ci/run sets on machines that have it).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(RequiresLandlock.Condition.class)
public @interface RequiresLandlock {
    int abi() default 1;

    final class Condition implements ExecutionCondition, BeforeEachCallback {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            String missing = missing(context);
            if (missing == null || LandlockSupport.required()) {
                return ConditionEvaluationResult.enabled("Landlock ABI " + LandlockSupport.abi());
            }
            return ConditionEvaluationResult.disabled(missing);
        }

        @Override
        public void beforeEach(ExtensionContext context) {
            String missing = missing(context);
            if (missing != null) {
                throw new AssertionError(missing + " and LANDLOCK_REQUIRED=1");
            }
        }

        private static String missing(ExtensionContext context) {
            int needed = context.getElement()
                    .map(e -> e.getAnnotation(RequiresLandlock.class))
                    .map(RequiresLandlock::abi)
                    .orElseGet(() -> context.getTestClass()
                            .map(c -> c.getAnnotation(RequiresLandlock.class))
                            .map(RequiresLandlock::abi).orElse(1));
            int have = LandlockSupport.abi();
            if (have >= needed) {
                return null;
            }
            return have == 0 ? "this kernel has no Landlock (" + LandlockSupport.whyUnavailable() + ")"
                    : "this kernel has Landlock ABI " + have + ", the test needs " + needed;
        }
    }
}
