package com.aoaigw.proxy.route;

/**
 * One Azure deployment as the pool state knows it: the same deployment behind two public models shares one health
 * record (a 429 from Azure is about the deployment, not about the model name a client used).
 *
 * @param upstream   the upstream name
 * @param deployment the Azure deployment name
 */
public record DeploymentId(String upstream, String deployment) {
    @Override
    public String toString() {
        return upstream + "/" + deployment;
    }
}
