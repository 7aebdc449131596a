package dev.landlockagent.confine;

import dev.landlockagent.plan.JvmFacts;
import dev.landlockagent.policy.Policy;
import dev.landlockagent.policy.PolicyContext;
import dev.landlockagent.policy.PolicyException;
import dev.landlockagent.policy.PolicyParser;
import dev.landlockagent.policy.PolicySource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A policy found, read and parsed for this JVM, with the facts about the JVM its baseline is made
 * of: what planning needs. The one place a policy is loaded, in the first JVM and again in the
 * re-executed one when a denial is explained.
 *
 * @param document where the policy came from, and its bytes
 * @param policy   the parsed policy
 * @param facts    this JVM's paths, agents and options
 */
record LoadedPolicy(PolicySource.Document document, Policy policy, JvmFacts facts) {

    /**
     * @param agentArgument the agent argument (a policy location), or null
     * @param agentJar      the agent's jar, which the baseline grants
     * @param options       every option that configures the JVM ({@link LaunchEnvironment#allOptions})
     * @param variables     the environment the first JVM was started with: the policy's {@code ${env:NAME}}
     */
    static LoadedPolicy load(String agentArgument, Path agentJar, CommandLine cmd, List<String> options,
                             Map<String, String> variables) throws PolicySource.NotFound, PolicyException {
        Path mainJar = ThisJvm.mainJar();
        PolicySource.Document doc = PolicySource.locate(agentArgument, System.getProperty(PolicySource.PROPERTY), mainJar);
        Policy policy = PolicyParser.parse(doc.bytes(), doc.origin(),
                PolicyContext.ofThisJvm(mainJar == null ? null : mainJar.getParent(), doc.folder(), variables));
        return new LoadedPolicy(doc, policy, ThisJvm.facts(cmd, options, variables, agentJar, doc.file()));
    }
}
