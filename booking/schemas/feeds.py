"""Feed URLs as the API shows them."""

from marshmallow import Schema, fields


class FeedLinkSchema(Schema):
    url = fields.String(metadata={"description": "The feed over https (or http)"})
    webcal = fields.String(metadata={"description": "The same feed as webcal://"})


class FeedLinksSchema(Schema):
    mine = fields.Nested(FeedLinkSchema)
    tenant = fields.Nested(FeedLinkSchema, allow_none=True)
    resource = fields.Nested(
        FeedLinkSchema, metadata={"description": "A template: put a resource id in {resource_id}"}
    )
